/**
 * Password accounts: POST /account/login, POST /account/logout, and safeNext for `next`.
 * Register, reset and sign-in links live in ./account-links.ts: a password is only ever set
 * through an emailed link, so nobody holds one on an address they have not proven.
 * Login answers the same for an unknown email and a wrong password, after the same work.
 */
import type { Db } from '../../../db/client';
import { getUserByEmail } from '../../../db/readers/users';
import { blankSessionCookie, readCookie, SESSION_COOKIE, sessionCookie } from '../auth/cookies';
import { verifyDummyPassword, verifyPassword } from '../auth/password';
import { isProven } from '../auth/proof';
import { createUserSession, invalidateSessionToken } from '../auth/session';
import { formText, readForm } from '../forms';
import { requestMeta, type FieldErrors } from '../http';
import { hitRateLimit, hitRateLimits, peekRateLimit, RATE_LIMITS } from '../rate-limit';
import { parseEmail, parseLoginPassword } from '../validation';
import { nowOf, redirectTo, render, respond, tOf, tooManyMessage, type PageResult, type ReaderDeps } from './deps';
import { formRefusal } from './messages';

export type AccountFormView = { values: { email: string }; errors: FieldErrors };
export const emptyAccountView = (): AccountFormView => ({ values: { email: '' }, errors: {} });

/** The one answer for an unknown email and a wrong password (English; a page passes its language). */
export const LOGIN_FAILED_MESSAGE = tOf({})('account.loginFailed');
export const DEFAULT_AFTER_SIGN_IN = '/preferences';
const MAX_NEXT_LENGTH = 500;
// Only used to resolve `next` the way a browser would; a relative target keeps this origin.
const PARSE_BASE = 'https://next.invalid';

/**
 * Where to go after signing in: parsed as a browser parses a Location (WHATWG URL: tabs and
 * newlines dropped, `\` read as `/`), kept only when it stays on this origin, and returned
 * re-serialised (control characters percent-encoded), so the header is always valid.
 */
export function safeNext(raw: string | null | undefined, origin = PARSE_BASE): string {
  if (!raw || raw.length > MAX_NEXT_LENGTH) return DEFAULT_AFTER_SIGN_IN;
  let base: URL;
  let target: URL;
  try {
    base = new URL(origin);
    target = new URL(raw, base);
  } catch {
    return DEFAULT_AFTER_SIGN_IN;
  }
  if (target.origin !== base.origin) return DEFAULT_AFTER_SIGN_IN;
  // A path that starts `//` would be read as another host when sent back as a Location.
  const path = `${target.pathname.replace(/^\/+/, '/')}${target.search}${target.hash}`;
  return path.startsWith('/') ? path : DEFAULT_AFTER_SIGN_IN;
}

/** Sets the cookie and redirects; the target is checked before the session row exists. */
export async function startSession(db: Db, userId: string, url: URL, next: string, now: Date): Promise<Response> {
  const location = safeNext(next, url.origin);
  const { token, expiresAt } = await createUserSession(db, userId, now);
  return redirectTo(location, { 'set-cookie': sessionCookie(token, expiresAt, url, now) });
}

const accountIpKey = (email: string, ip: string | null) => `${email}\n${ip ?? 'unknown'}`;
/** Wrong passwords per account and IP, in growing windows: the wait grows with the guessing. */
const FAILURE_RULES = [RATE_LIMITS.loginFailure, RATE_LIMITS.loginFailureHour, RATE_LIMITS.loginFailureDay];

export async function handleLogin(db: Db, request: Request, deps: Pick<ReaderDeps, 'now' | 't'>): Promise<PageResult<AccountFormView & { next: string }>> {
  const t = tOf(deps);
  const url = new URL(request.url);
  const body = await readForm(request);
  const next = safeNext(body.ok ? formText(body.form, 'next') : url.searchParams.get('next'), url.origin);
  if (!body.ok) return render({ ...emptyAccountView(), next, errors: { form: formRefusal(body, t) } }, body.status);
  const errors: FieldErrors = {};
  const rawEmail = formText(body.form, 'email');
  const email = parseEmail(rawEmail, errors, 'email', t);
  const password = parseLoginPassword(formText(body.form, 'password'), errors, 'password', t);
  const values = { email: (rawEmail ?? '').slice(0, 300) };
  if (Object.keys(errors).length > 0) return render({ values, next, errors }, 400);

  const now = nowOf(deps);
  const meta = requestMeta(request);
  const tooMany = (retryAfterSeconds: number) =>
    render({ values, next, errors: { form: tooManyMessage(retryAfterSeconds, t) } }, 429, { 'retry-after': String(retryAfterSeconds) });
  const ipLimit = await hitRateLimits(db, [[RATE_LIMITS.loginIp, meta.ipAddress ?? 'unknown']], now);
  if (!ipLimit.allowed) return tooMany(ipLimit.retryAfterSeconds);
  const key = accountIpKey(email, meta.ipAddress);
  for (const rule of FAILURE_RULES) {
    const failures = await peekRateLimit(db, rule, key, now);
    if (!failures.allowed) return tooMany(failures.retryAfterSeconds);
  }

  const user = await getUserByEmail(db, email);
  // No password works before the mailbox is proven (a password set by a stranger is void).
  const usable = user?.passwordHash && isProven(user) ? user.passwordHash : null;
  const ok = usable ? await verifyPassword(password, usable) : await verifyDummyPassword(password);
  if (!ok || !user) {
    for (const rule of FAILURE_RULES) await hitRateLimit(db, rule, key, now);
    return render({ values, next, errors: { form: t('account.loginFailed') } }, 400);
  }
  return respond(await startSession(db, user.id, url, next, now));
}

/** Ends the session on the server and clears the cookie; without a session it just clears. `lang`: the page's, kept on the redirect. */
export async function handleLogout(db: Db, request: Request, lang?: string): Promise<Response> {
  const token = readCookie(request, SESSION_COOKIE);
  if (token) await invalidateSessionToken(db, token);
  return redirectTo(`/account/login?signed-out=1${lang ? `&lang=${encodeURIComponent(lang)}` : ''}`, {
    'set-cookie': blankSessionCookie(new URL(request.url)),
  });
}
