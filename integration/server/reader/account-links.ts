/**
 * Emailed account links (15 minutes, single use, only a hash stored; db/readers/account-tokens.ts):
 * - POST /account/register and POST /account/reset (`email`) mail a set-password link;
 *   register first creates the reader if the address is new.
 * - POST /account/sign-in-link (`email`) mails a sign-in link.
 * - GET/POST /account/password?token= sets the password; GET/POST /account/link?token= signs in.
 * Requests answer the same for known, unknown and blocked addresses (no enumeration). Using a
 * link proves the mailbox (integration/server/auth/proof.ts): the first proof revokes every session and
 * password set before it, and a new password signs out every other session. A link confirms no
 * subscription (neither one a stranger asked for nor the register request's): the owner, signed
 * in, chooses on the preferences page, and that save is the activation with its confirmed consent.
 */
import type { Db } from '../../../db/client';
import { inspectAccountToken, issueAccountToken, spendAccountToken } from '../../../db/readers/account-tokens';
import { consentQueries } from '../../../db/readers/consent';
import { isReceivingMail } from '../../../db/delivery/eligibility';
import { createNotificationHistory, historyInsertRows } from '../../../db/delivery/history';
import { createUser, getUserByEmail } from '../../../db/readers/users';
import { CONTENT_TYPES, type AccountTokenPurpose, type User } from '../../../db/schema';
import { hashPassword } from '../auth/password';
import { recordMailboxProof } from '../auth/proof';
import { checkBot, HONEYPOT_FIELD, TURNSTILE_FIELD } from '../bot-check';
import { formText, readForm } from '../forms';
import { requestMeta, type FieldErrors } from '../http';
import { hitRateLimit, hitRateLimits, peekRateLimit, RATE_LIMITS } from '../rate-limit';
import { isSuppressedNonReader } from '../../../db/feedback/suppressions';
import { cleanToken, parseEmail, parseNewPassword } from '../validation';
import { startSession, type AccountFormView } from './account';
import { afterResponse, nowOf, redirectTo, render, respond, tOf, tooManyMessage, type PageResult, type ReaderDeps } from './deps';
import { botRefusal, formRefusal } from './messages';

export type LinkRequestKind = 'register' | 'reset' | 'sign_in';

/** Where each request form sends the reader afterwards (the page then says "check your email"). */
export const LINK_SENT_LOCATION: Record<LinkRequestKind, string> = {
  register: '/account/register?sent=1',
  reset: '/account/reset?sent=1',
  sign_in: '/account/sign-in-link?sent=1',
};

const PURPOSE: Record<LinkRequestKind, AccountTokenPurpose> = { register: 'set_password', reset: 'set_password', sign_in: 'sign_in' };
const LINK_PATH: Record<AccountTokenPurpose, string> = { set_password: '/account/password', sign_in: '/account/link' };

/**
 * Finds the reader, or (register only) creates one, unconfirmed, nothing chosen yet (the owner
 * chooses once signed in), in the language of the page they registered on.
 */
async function readerFor(db: Db, email: string, kind: LinkRequestKind, locale: string | null): Promise<{ user: User | undefined; created: boolean }> {
  const existing = await getUserByEmail(db, email);
  if (existing || kind !== 'register') return { user: existing, created: false };
  try {
    const user = await createUser(db, { email, emailVerified: false, locale });
    return { user, created: true };
  } catch {
    return { user: await getUserByEmail(db, email), created: false }; // a parallel request created it first
  }
}

/** POST /account/register, /account/reset, /account/sign-in-link: one email field, one answer. */
export async function handleLinkRequest(db: Db, request: Request, deps: ReaderDeps, kind: LinkRequestKind): Promise<PageResult<AccountFormView>> {
  const t = tOf(deps);
  const body = await readForm(request);
  if (!body.ok) return render({ values: { email: '' }, errors: { form: formRefusal(body, t) } }, body.status);
  const errors: FieldErrors = {};
  const rawEmail = formText(body.form, 'email');
  const email = parseEmail(rawEmail, errors, 'email', t);
  const values = { email: (rawEmail ?? '').slice(0, 300) };
  if (Object.keys(errors).length > 0) return render({ values, errors }, 400);

  const now = nowOf(deps);
  const meta = requestMeta(request);
  if (kind === 'register') {
    // Registering creates a reader: bots are stopped before anything is written or mailed.
    const bot = await checkBot(
      deps.botCheck,
      { honeypot: formText(body.form, HONEYPOT_FIELD) ?? '', token: formText(body.form, TURNSTILE_FIELD) },
      meta.ipAddress,
    );
    if (!bot.ok) return render({ values, errors: { form: botRefusal(bot.message, t) } }, 400);
  }
  const ipLimit = await hitRateLimits(db, [[RATE_LIMITS.accountLinkIp, meta.ipAddress ?? 'unknown']], now);
  if (!ipLimit.allowed) {
    return render({ values, errors: { form: tooManyMessage(ipLimit.retryAfterSeconds, t) } }, 429, { 'retry-after': String(ipLimit.retryAfterSeconds) });
  }
  const done = respond<AccountFormView>(redirectTo(`${LINK_SENT_LOCATION[kind]}${deps.lang ? `&lang=${encodeURIComponent(deps.lang)}` : ''}`));
  // Suppressed means no row: for an erased or bounced non-reader nothing is stored (no row, no
  // per-address bucket) and nothing mailed; the answer is the same.
  const suppressed = await isSuppressedNonReader(db, email);
  // Over the per-address limit: the same answer, and no mail.
  const emailLimit = suppressed
    ? await peekRateLimit(db, RATE_LIMITS.accountLinkEmail, email, now)
    : await hitRateLimit(db, RATE_LIMITS.accountLinkEmail, email, now);
  if (!emailLimit.allowed || suppressed) return done;
  // Everything that depends on whether the address is known (the lookup, the reader row, the
  // token, the mail) runs after the answer: every address gets the same work before it.
  await afterResponse(deps, `${kind} link`, () => sendLink(db, deps, kind, email, meta, now));
  return done;
}

async function sendLink(db: Db, deps: ReaderDeps, kind: LinkRequestKind, email: string, meta: ReturnType<typeof requestMeta>, now: Date): Promise<void> {
  const { user, created } = await readerFor(db, email, kind, deps.t?.locale ?? null);
  if (!user || user.emailStatus === 'blocked') return;
  const purpose = PURPOSE[kind];
  const token = await issueAccountToken(db, user.id, purpose, now);
  if (kind === 'register' && !isReceivingMail(user)) {
    // Registering asks to subscribe: the request is on record (unconfirmed, like a subscribe).
    // Nothing is applied: the owner, once the link signed them in, chooses and confirms.
    const details = { contentTypes: [...CONTENT_TYPES], frequency: user.emailFrequency };
    const history = created
      ? historyInsertRows(
          db,
          [{ userId: user.id, action: 'subscribed', details: { ...details, via: 'register' }, ipAddress: meta.ipAddress, userAgent: meta.userAgent }],
          now,
        )
      : [];
    await db.batch([
      ...consentQueries(db, { userId: user.id, source: 'register', choices: details, ipAddress: meta.ipAddress, userAgent: meta.userAgent, now }),
      ...history,
    ]);
  }
  const verifyUrl = `${deps.siteUrl}${LINK_PATH[purpose]}?token=${encodeURIComponent(token)}`;
  await deps.sendVerification(db, { userId: user.id, email: user.email, verifyUrl, kind: purpose });
}

export type LinkView =
  /** `locale`: the reader's stored language (the page speaks it: the link came in their email). */
  { state: 'confirm'; token: string; email: string; locale: string | null; errors: FieldErrors } | { state: 'expired' } | { state: 'invalid'; reason?: string };

const stateOf = (state: 'expired' | 'unknown'): PageResult<LinkView> =>
  state === 'expired' ? render({ state: 'expired' }, 410) : render({ state: 'invalid' }, 404);

/** GET /account/link?token= and GET /account/password?token=: a button or a form; GET spends nothing. */
export async function showAccountLink(db: Db, url: URL, purpose: AccountTokenPurpose, deps: Pick<ReaderDeps, 'now'>): Promise<PageResult<LinkView>> {
  const token = cleanToken(url.searchParams.get('token'));
  const found = await inspectAccountToken(db, token, purpose, nowOf(deps));
  if (found.state !== 'valid') return stateOf(found.state);
  return render({ state: 'confirm', token: token!, email: found.user.email, locale: found.user.locale, errors: {} });
}

/** POST /account/link (`token`): signs in, once. */
export async function handleSignInLink(db: Db, request: Request, deps: Pick<ReaderDeps, 'now' | 't'>): Promise<PageResult<LinkView>> {
  const body = await readForm(request);
  if (!body.ok) return render({ state: 'invalid', reason: formRefusal(body, tOf(deps)) }, body.status);
  const now = nowOf(deps);
  const found = await inspectAccountToken(db, cleanToken(formText(body.form, 'token')), 'sign_in', now);
  if (found.state !== 'valid') return stateOf(found.state);
  if (!(await spendAccountToken(db, found.row.id, now))) return stateOf('unknown');
  await recordMailboxProof(db, found.user, now);
  await history(db, request, found.user.id, 'sign_in');
  return respond(await startSession(db, found.user.id, new URL(request.url), '/preferences?signed-in=1', now));
}

/** POST /account/password (`token`, `password`): sets the password, signs out everywhere else, signs in. */
export async function handleSetPassword(db: Db, request: Request, deps: Pick<ReaderDeps, 'now' | 't'>): Promise<PageResult<LinkView>> {
  const t = tOf(deps);
  const body = await readForm(request);
  if (!body.ok) return render({ state: 'invalid', reason: formRefusal(body, t) }, body.status);
  const now = nowOf(deps);
  const token = cleanToken(formText(body.form, 'token'));
  const found = await inspectAccountToken(db, token, 'set_password', now);
  if (found.state !== 'valid') return stateOf(found.state);
  const errors: FieldErrors = {};
  const password = parseNewPassword(formText(body.form, 'password'), errors, 'password', t);
  if (Object.keys(errors).length > 0) return render({ state: 'confirm', token: token!, email: found.user.email, locale: found.user.locale, errors }, 400);
  const passwordHash = await hashPassword(password);
  if (!(await spendAccountToken(db, found.row.id, now))) return stateOf('unknown');
  await recordMailboxProof(db, found.user, now, { newPasswordHash: passwordHash, revokeSessions: true });
  await history(db, request, found.user.id, 'set_password');
  return respond(await startSession(db, found.user.id, new URL(request.url), '/preferences?password-set=1', now));
}

async function history(db: Db, request: Request, userId: string, via: 'sign_in' | 'set_password') {
  const meta = requestMeta(request);
  await createNotificationHistory(db, { userId, action: 'verified', details: { via }, ipAddress: meta.ipAddress, userAgent: meta.userAgent });
}
