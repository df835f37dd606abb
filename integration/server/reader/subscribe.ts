/**
 * Subscribe with double opt-in: POST /subscribe (form) and POST /api/subscribe (JSON).
 * The answer never says whether the address was known (no account enumeration).
 */
import type { Db } from '../../../db/client';
import { consentQueries, consentWordingOf } from '../../../db/readers/consent';
import { historyInsertRows } from '../../../db/delivery/history';
import { upsertReader } from '../../../db/readers/readers';
import { newId, sha256Hex } from '../../../db/crypto';
import { getUserByEmail } from '../../../db/readers/users';
import type { ConsentSource, ContentType, EmailFrequency } from '../../../db/schema';
import { checkBot, HONEYPOT_FIELD, TURNSTILE_FIELD } from '../bot-check';
import { formList, formText, readForm, readJson } from '../forms';
import { json, requestMeta, tooManyRequests, validationError, type FieldErrors, type RequestMeta } from '../http';
import { hitRateLimit, hitRateLimits, peekRateLimit, RATE_LIMITS } from '../rate-limit';
import { isSuppressedNonReader } from '../../../db/feedback/suppressions';
import { parseContentTypes, parseEmail, parseFrequency } from '../validation';
import { choicesSummary, issueVerificationToken } from '../verification';
import { afterResponse, nowOf, redirectTo, tOf, tooManyMessage, render, respond, type PageResult, type ReaderDeps } from './deps';
import { botRefusal, formRefusal } from './messages';
import type { Translate } from '../../i18n';

export type SubscribeInput = { email: string; contentTypes: ContentType[]; frequency: EmailFrequency };

/** The answer after subscribing, in English (the JSON API); pages use `subscribe.done` of the catalog. */
export const SUBSCRIBE_DONE_MESSAGE =
  'Thanks! If this address can receive our email, a confirmation link is on its way. Open it within 48 hours to start your subscription.';

export function parseSubscribeInput(raw: { email: unknown; contentTypes: unknown; frequency: unknown }, t?: Translate) {
  const errors: FieldErrors = {};
  const value: SubscribeInput = {
    email: parseEmail(raw.email, errors, 'email', t),
    contentTypes: parseContentTypes(raw.contentTypes, errors, { requireOne: true }, 'contentTypes', t),
    frequency: parseFrequency(raw.frequency, errors, 'frequency', t),
  };
  return { value, errors };
}

export type SubscribeOutcome = { ok: true } | { ok: false; retryAfterSeconds: number };

/**
 * The whole subscribe step once input is valid. A reader already receiving mail keeps their
 * settings until they confirm (a stranger typing their address changes nothing); anyone else
 * gets the requested settings now and must confirm before any mail is sent — including a
 * reader who had unsubscribed, who goes back to unverified.
 */
export async function subscribe(db: Db, input: SubscribeInput, deps: ReaderDeps, meta: RequestMeta, source: ConsentSource): Promise<SubscribeOutcome> {
  const now = nowOf(deps);
  // Suppressed means no row: an erased or bounced non-reader's address gets the same answer and
  // nothing stored (no row, consent, history or per-address bucket) and nothing mailed.
  const suppressed = await isSuppressedNonReader(db, input.email);
  const limit = await hitRateLimits(db, [[RATE_LIMITS.subscribeIp, meta.ipAddress ?? 'unknown']], now);
  const emailLimit = suppressed
    ? await peekRateLimit(db, RATE_LIMITS.subscribeEmail, input.email, now)
    : await hitRateLimit(db, RATE_LIMITS.subscribeEmail, input.email, now);
  const refused = [limit, emailLimit].find((l) => !l.allowed);
  if (refused) return { ok: false, retryAfterSeconds: refused.retryAfterSeconds };
  if (suppressed) {
    // As many round trips before the answer as the path below, writing nothing about the address:
    // a lookup, the token UPDATE on an id no row has, the consent wording (stored once per version).
    // The writes below still cost more than these (measured locally: about 1/3 of the time), so
    // this narrows the timing difference, it does not remove it.
    await getUserByEmail(db, input.email);
    await issueVerificationToken(db, newId(), now, { contentTypes: input.contentTypes, frequency: input.frequency });
    const [wording] = consentQueries(db, {
      userId: '',
      source,
      choices: { contentTypes: input.contentTypes, frequency: input.frequency },
      now,
      wording: consentWordingOf(tOf(deps)('consent.text'), tOf(deps).locale),
    });
    await db.batch([wording]);
    return { ok: true };
  }

  // Every path (unknown, known, confirmed, blocked) runs the same statements and the same mail
  // path, so the answer's timing says nothing about the address. A blocked reader's
  // verification email is queued like any other and cancelled by the processor's send-time
  // eligibility check (db/delivery/claims.ts), never sent; the upsert writes that row's own values back.
  // The page's language (deps.t) is the reader's: their emails and token pages speak it.
  const { user, created } = await upsertReader(db, { ...input, locale: deps.t?.locale ?? null }, now);
  const choices = { contentTypes: input.contentTypes, frequency: input.frequency };
  const token = await issueVerificationToken(db, user.id, now, choices);
  // The history row and the consent record (with the wording shown, by version) in one batch, on every path.
  const [history] = historyInsertRows(
    db,
    [
      {
        userId: user.id,
        action: 'subscribed',
        details: { contentTypes: input.contentTypes, frequency: input.frequency, newReader: created },
        ipAddress: meta.ipAddress,
        userAgent: meta.userAgent,
      },
    ],
    now,
  );
  await db.batch([
    history!,
    // The wording in the language the form showed it (the record keeps the words the reader saw).
    ...consentQueries(db, {
      userId: user.id,
      source,
      choices,
      ipAddress: meta.ipAddress,
      userAgent: meta.userAgent,
      verificationTokenHash: await sha256Hex(token),
      now,
      wording: consentWordingOf(tOf(deps)('consent.text'), tOf(deps).locale),
    }),
  ]);
  const verifyUrl = `${deps.siteUrl}/verify?token=${encodeURIComponent(token)}`;
  // After the answer: the transport's latency (and whether the processor cancels the mail of a
  // blocked or suppressed address) must not show in the subscribe route's timing.
  await afterResponse(deps, 'subscribe: sending the verification email', () =>
    deps.sendVerification(db, { userId: user.id, email: user.email, verifyUrl, summary: choicesSummary(choices, tOf(deps)) }),
  );
  return { ok: true };
}

export type SubscribeView = {
  values: { email: string; contentTypes: ContentType[]; frequency: EmailFrequency };
  errors: FieldErrors;
  done: boolean;
  message?: string;
  retryAfterSeconds?: number;
};

export const emptySubscribeView = (): SubscribeView => ({
  values: { email: '', contentTypes: ['blog', 'thought', 'announcement'], frequency: 'immediate' },
  errors: {},
  done: false,
});

/** POST /subscribe (HTML form). */
export async function handleSubscribeForm(db: Db, request: Request, deps: ReaderDeps): Promise<PageResult<SubscribeView>> {
  const t = tOf(deps);
  const body = await readForm(request);
  if (!body.ok) return render({ ...emptySubscribeView(), errors: { form: formRefusal(body, t) } }, body.status);
  const raw = { email: formText(body.form, 'email'), contentTypes: formList(body.form, 'contentTypes'), frequency: formText(body.form, 'frequency') };
  const { value, errors } = parseSubscribeInput(raw, t);
  const values = { email: typeof raw.email === 'string' ? raw.email.slice(0, 300) : '', contentTypes: value.contentTypes, frequency: value.frequency };
  if (Object.keys(errors).length > 0) return render({ values, errors, done: false }, 400);
  // Before anything is written (rate limits included) or mailed.
  const bot = await checkBot(
    deps.botCheck,
    { honeypot: formText(body.form, HONEYPOT_FIELD) ?? '', token: formText(body.form, TURNSTILE_FIELD) },
    requestMeta(request).ipAddress,
  );
  if (!bot.ok) return render({ values, errors: { form: botRefusal(bot.message, t) }, done: false }, 400);
  const outcome = await subscribe(db, value, deps, requestMeta(request), 'subscribe_form');
  if (!outcome.ok) {
    const view = { values, errors: { form: tooManyMessage(outcome.retryAfterSeconds, t) }, done: false, retryAfterSeconds: outcome.retryAfterSeconds };
    return render(view, 429, { 'retry-after': String(outcome.retryAfterSeconds) });
  }
  return respond(redirectTo(`/subscribe?sent=1${deps.lang ? `&lang=${encodeURIComponent(deps.lang)}` : ''}`));
}

/** POST /api/subscribe (JSON): 202 on success, 400 with fields, 415 for a wrong content type, 429. */
export async function handleSubscribeApi(db: Db, request: Request, deps: ReaderDeps): Promise<Response> {
  const body = await readJson(request);
  if (!body.ok) return json({ error: 'invalid_request', fields: [{ field: body.field, reason: body.reason }] }, body.status);
  const { value, errors } = parseSubscribeInput({ email: body.body.email, contentTypes: body.body.contentTypes, frequency: body.body.frequency });
  if (Object.keys(errors).length > 0) return validationError(errors);
  const bot = await checkBot(deps.botCheck, { honeypot: body.body[HONEYPOT_FIELD], token: body.body.turnstileToken }, requestMeta(request).ipAddress);
  if (!bot.ok) return validationError({ [bot.codes[0] === 'honeypot' ? HONEYPOT_FIELD : 'turnstileToken']: bot.message });
  const outcome = await subscribe(db, value, deps, requestMeta(request), 'api');
  if (!outcome.ok) return tooManyRequests(outcome.retryAfterSeconds);
  return json({ ok: true, message: SUBSCRIBE_DONE_MESSAGE }, 202);
}
