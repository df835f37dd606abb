/**
 * Subscribe with double opt-in: POST /subscribe (form) and POST /api/subscribe (JSON).
 * The answer never says whether the address was known (no account enumeration).
 */
import { eq } from 'drizzle-orm';
import type { Db } from '../../../db/client';
import { createNotificationHistory } from '../../../db/history';
import { isSuppressed } from '../../../db/suppressions';
import { preferenceFlags } from '../../../db/preferences';
import { createUser, getUserByEmail } from '../../../db/users';
import { users, type ContentType, type EmailFrequency, type User } from '../../../db/schema';
import { formList, formText, readForm, readJson } from '../forms';
import { json, requestMeta, tooManyRequests, validationError, type FieldErrors, type RequestMeta } from '../http';
import { hitRateLimits, RATE_LIMITS } from '../rate-limit';
import { parseContentTypes, parseEmail, parseFrequency } from '../validation';
import { choicesSummary, issueVerificationToken } from '../verification';
import { nowOf, redirectTo, tooManyMessage, render, respond, type PageResult, type ReaderDeps } from './deps';

export type SubscribeInput = { email: string; contentTypes: ContentType[]; frequency: EmailFrequency };

export const SUBSCRIBE_DONE_MESSAGE =
  'Thanks! If this address can receive our email, a confirmation link is on its way. Open it within 48 hours to start your subscription.';

export function parseSubscribeInput(raw: { email: unknown; contentTypes: unknown; frequency: unknown }) {
  const errors: FieldErrors = {};
  const value: SubscribeInput = {
    email: parseEmail(raw.email, errors),
    contentTypes: parseContentTypes(raw.contentTypes, errors, { requireOne: true }),
    frequency: parseFrequency(raw.frequency, errors),
  };
  return { value, errors };
}

const isReceivingMail = (u: User) => u.emailVerified && u.emailStatus === 'active' && !u.unsubscribeAll;

/** Finds or creates the reader; a unique-index race with a parallel request reads the winner's row. */
async function findOrCreateReader(db: Db, input: SubscribeInput): Promise<{ user: User; created: boolean }> {
  const existing = await getUserByEmail(db, input.email);
  if (existing) return { user: existing, created: false };
  try {
    const user = await createUser(db, {
      email: input.email,
      ...preferenceFlags(input.contentTypes),
      emailFrequency: input.frequency,
      emailVerified: false,
    });
    return { user, created: true };
  } catch (error) {
    const raced = await getUserByEmail(db, input.email);
    if (raced) return { user: raced, created: false };
    throw error;
  }
}

export type SubscribeOutcome = { ok: true } | { ok: false; retryAfterSeconds: number };

/**
 * The whole subscribe step once input is valid. A reader already receiving mail keeps their
 * settings until they confirm (a stranger typing their address changes nothing); anyone else
 * gets the requested settings now and must confirm before any mail is sent — including a
 * reader who had unsubscribed, who goes back to unverified.
 */
export async function subscribe(db: Db, input: SubscribeInput, deps: ReaderDeps, meta: RequestMeta): Promise<SubscribeOutcome> {
  const now = nowOf(deps);
  const limit = await hitRateLimits(
    db,
    [
      [RATE_LIMITS.subscribeIp, meta.ipAddress ?? 'unknown'],
      [RATE_LIMITS.subscribeEmail, input.email],
    ],
    now,
  );
  if (!limit.allowed) return { ok: false, retryAfterSeconds: limit.retryAfterSeconds };
  if (await isSuppressed(db, input.email)) return { ok: true }; // suppressed (bounce, complaint, …): same answer, no mail

  const { user, created } = await findOrCreateReader(db, input);
  if (user.emailStatus === 'blocked') return { ok: true }; // same answer, no mail

  if (!created && !isReceivingMail(user)) {
    await db
      .update(users)
      .set({
        emailVerified: false,
        ...preferenceFlags(input.contentTypes),
        emailFrequency: input.frequency,
        updatedAt: now,
      })
      .where(eq(users.id, user.id));
  }
  const choices = { contentTypes: input.contentTypes, frequency: input.frequency };
  const token = await issueVerificationToken(db, user.id, now, choices);
  await createNotificationHistory(db, {
    userId: user.id,
    action: 'subscribed',
    details: { contentTypes: input.contentTypes, frequency: input.frequency, newReader: created },
    ipAddress: meta.ipAddress,
    userAgent: meta.userAgent,
  });
  const verifyUrl = `${deps.siteUrl}/verify?token=${encodeURIComponent(token)}`;
  try {
    await deps.sendVerification(db, { userId: user.id, email: user.email, verifyUrl, summary: choicesSummary(choices) });
  } catch (error) {
    // The queued mail stays in the queue and is retried; the reader sees the same answer.
    console.error('subscribe: sending the verification email failed', error);
  }
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
  const body = await readForm(request);
  if (!body.ok) return render({ ...emptySubscribeView(), errors: { form: body.reason } }, body.status);
  const raw = { email: formText(body.form, 'email'), contentTypes: formList(body.form, 'contentTypes'), frequency: formText(body.form, 'frequency') };
  const { value, errors } = parseSubscribeInput(raw);
  const values = { email: typeof raw.email === 'string' ? raw.email.slice(0, 300) : '', contentTypes: value.contentTypes, frequency: value.frequency };
  if (Object.keys(errors).length > 0) return render({ values, errors, done: false }, 400);
  const outcome = await subscribe(db, value, deps, requestMeta(request));
  if (!outcome.ok) {
    const view = { values, errors: { form: tooManyMessage(outcome.retryAfterSeconds) }, done: false, retryAfterSeconds: outcome.retryAfterSeconds };
    return render(view, 429, { 'retry-after': String(outcome.retryAfterSeconds) });
  }
  return respond(redirectTo('/subscribe?sent=1'));
}

/** POST /api/subscribe (JSON): 202 on success, 400 with fields, 415 for a wrong content type, 429. */
export async function handleSubscribeApi(db: Db, request: Request, deps: ReaderDeps): Promise<Response> {
  const body = await readJson(request);
  if (!body.ok) return json({ error: 'invalid_request', fields: [{ field: body.field, reason: body.reason }] }, body.status);
  const { value, errors } = parseSubscribeInput({ email: body.body.email, contentTypes: body.body.contentTypes, frequency: body.body.frequency });
  if (Object.keys(errors).length > 0) return validationError(errors);
  const outcome = await subscribe(db, value, deps, requestMeta(request));
  if (!outcome.ok) return tooManyRequests(outcome.retryAfterSeconds);
  return json({ ok: true, message: SUBSCRIBE_DONE_MESSAGE }, 202);
}
