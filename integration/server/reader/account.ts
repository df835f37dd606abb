/**
 * Password accounts: POST /account/register, POST /account/login, POST /account/logout.
 * Login answers the same for an unknown email and a wrong password, after the same work.
 */
import type { Db } from '../../../db/client';
import { createNotificationHistory } from '../../../db/history';
import { createUser, getUserByEmail } from '../../../db/users';
import { CONTENT_TYPES } from '../../../db/schema';
import { blankSessionCookie, readCookie, SESSION_COOKIE, sessionCookie } from '../auth/cookies';
import { hashPassword, verifyDummyPassword, verifyPassword } from '../auth/password';
import { createUserSession, invalidateSessionToken } from '../auth/session';
import { formText, readForm } from '../forms';
import { requestMeta, type FieldErrors } from '../http';
import { hitRateLimits, RATE_LIMITS } from '../rate-limit';
import { parseEmail, parseLoginPassword, parseNewPassword } from '../validation';
import { issueVerificationToken } from '../verification';
import { nowOf, redirectTo, render, respond, tooManyMessage, type PageResult, type ReaderDeps } from './deps';

export type AccountFormView = { values: { email: string }; errors: FieldErrors };
export const emptyAccountView = (): AccountFormView => ({ values: { email: '' }, errors: {} });

export const LOGIN_FAILED_MESSAGE = 'The email or password is not right.';

/** Where to go after signing in: only a local path, never another site. */
export function safeNext(raw: string | null | undefined): string {
  if (!raw || !raw.startsWith('/') || raw.startsWith('//') || raw.startsWith('/\\') || raw.length > 200) return '/preferences';
  return raw;
}

async function startSession(db: Db, userId: string, url: URL, next: string, now: Date): Promise<Response> {
  const { token, expiresAt } = await createUserSession(db, userId, now);
  return redirectTo(next, { 'set-cookie': sessionCookie(token, expiresAt, url) });
}

export async function handleRegister(db: Db, request: Request, deps: ReaderDeps): Promise<PageResult<AccountFormView>> {
  const body = await readForm(request);
  if (!body.ok) return render({ ...emptyAccountView(), errors: { form: body.reason } }, body.status);
  const errors: FieldErrors = {};
  const rawEmail = formText(body.form, 'email');
  const email = parseEmail(rawEmail, errors);
  const password = parseNewPassword(formText(body.form, 'password'), errors);
  const values = { email: (rawEmail ?? '').slice(0, 300) };
  if (Object.keys(errors).length > 0) return render({ values, errors }, 400);

  const now = nowOf(deps);
  const meta = requestMeta(request);
  const limit = await hitRateLimits(db, [[RATE_LIMITS.registerIp, meta.ipAddress ?? 'unknown'], [RATE_LIMITS.registerEmail, email]], now);
  if (!limit.allowed) {
    return render({ values, errors: { form: tooManyMessage(limit.retryAfterSeconds) } }, 429, { 'retry-after': String(limit.retryAfterSeconds) });
  }
  // Registering is the one place an existing address is named (it is rate limited); a
  // subscriber without a password cannot claim the address this way.
  if (await getUserByEmail(db, email)) {
    return render({ values, errors: { email: 'An account with this email already exists. Log in instead.' } }, 409);
  }
  let userId: string;
  try {
    const passwordHash = await hashPassword(password);
    const user = await createUser(db, { email, passwordHash, emailBlogUpdates: true, emailThoughtUpdates: true, emailAnnouncements: true });
    userId = user.id;
  } catch {
    return render({ values, errors: { email: 'An account with this email already exists. Log in instead.' } }, 409);
  }
  // No mail goes out until the address is confirmed (double opt-in), as for subscribers.
  const token = await issueVerificationToken(db, userId, now);
  await createNotificationHistory(db, {
    userId,
    action: 'subscribed',
    details: { contentTypes: [...CONTENT_TYPES], frequency: 'immediate', via: 'register' },
    ipAddress: meta.ipAddress,
    userAgent: meta.userAgent,
  });
  try {
    await deps.sendVerification(db, { userId, email, verifyUrl: `${deps.siteUrl}/verify?token=${encodeURIComponent(token)}` });
  } catch (error) {
    console.error('register: sending the verification email failed', error);
  }
  return respond(await startSession(db, userId, new URL(request.url), '/preferences?welcome=1', now));
}

export async function handleLogin(db: Db, request: Request, deps: Pick<ReaderDeps, 'now'>): Promise<PageResult<AccountFormView & { next: string }>> {
  const url = new URL(request.url);
  const body = await readForm(request);
  const next = safeNext(body.ok ? formText(body.form, 'next') : url.searchParams.get('next'));
  if (!body.ok) return render({ ...emptyAccountView(), next, errors: { form: body.reason } }, body.status);
  const errors: FieldErrors = {};
  const rawEmail = formText(body.form, 'email');
  const email = parseEmail(rawEmail, errors);
  const password = parseLoginPassword(formText(body.form, 'password'), errors);
  const values = { email: (rawEmail ?? '').slice(0, 300) };
  if (Object.keys(errors).length > 0) return render({ values, next, errors }, 400);

  const now = nowOf(deps);
  const meta = requestMeta(request);
  const limit = await hitRateLimits(db, [[RATE_LIMITS.loginIp, meta.ipAddress ?? 'unknown'], [RATE_LIMITS.loginEmail, email]], now);
  if (!limit.allowed) {
    return render({ values, next, errors: { form: tooManyMessage(limit.retryAfterSeconds) } }, 429, { 'retry-after': String(limit.retryAfterSeconds) });
  }
  const user = await getUserByEmail(db, email);
  const ok = user?.passwordHash ? await verifyPassword(password, user.passwordHash) : await verifyDummyPassword(password);
  if (!ok || !user) return render({ values, next, errors: { form: LOGIN_FAILED_MESSAGE } }, 400);
  return respond(await startSession(db, user.id, url, next, now));
}

/** Ends the session on the server and clears the cookie; without a session it just clears. */
export async function handleLogout(db: Db, request: Request): Promise<Response> {
  const token = readCookie(request, SESSION_COOKIE);
  if (token) await invalidateSessionToken(db, token);
  return redirectTo('/account/login?signed-out=1', { 'set-cookie': blankSessionCookie(new URL(request.url)) });
}
