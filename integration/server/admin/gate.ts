/**
 * Who may open /admin, and CSRF for its forms. In order:
 * 1. Cloudflare Access: a `Cf-Access-Jwt-Assertion` header, when Access is configured, must
 *    verify (a present but bad token is refused, never passed on to the other ways in);
 * 2. a signed-in, verified account with role `admin` (granted by `npx astro-d1-notify admin:grant`);
 * 3. the dev bypass: ADMIN_DEV_BYPASS=1 with MAIL_TRANSPORT=dev on a loopback host only.
 * Everything else gets the 403 page.
 * CSRF: an admin account's token is bound to its session (an HMAC keyed with the session's own
 * token); Access and the dev bypass, which have no session of ours, use a double-submit cookie.
 */
import { constantTimeEqual } from '../../../db/crypto';
import type { User } from '../../../db/schema';
import { isLocalHttp, readCookie, SESSION_COOKIE } from '../auth/cookies';
import { ACCESS_JWT_HEADER, verifyAccessJwt, type AccessConfig } from './access';
import { isLoopbackUrl } from '../../loopback';

export type AdminSettings = {
  access: AccessConfig | null;
  devBypass: boolean;
  mailTransport: string;
};

export type AdminIdentity = {
  /** Written into the audit log: `access:<email>`, `account:<email>` or `dev-bypass`. */
  actor: string;
  via: 'access' | 'account' | 'dev';
  /** Where "send a test to me" goes, when the identity has an address. */
  email: string | null;
};

export type GateResult = { ok: true; identity: AdminIdentity } | { ok: false; reason: string };

export async function authenticateAdmin(request: Request, user: User | null, settings: AdminSettings): Promise<GateResult> {
  const token = request.headers.get(ACCESS_JWT_HEADER);
  if (settings.access && token) {
    const verified = await verifyAccessJwt(token, settings.access);
    if (!verified.ok) return verified;
    const email = typeof verified.payload.email === 'string' ? verified.payload.email : null;
    return { ok: true, identity: { actor: `access:${verified.identity}`, via: 'access', email } };
  }
  // A proven mailbox (any emailed link), whether or not the admin also subscribes to mail.
  if (user && user.role === 'admin' && (user.emailProvenAt != null || user.emailVerified)) {
    return { ok: true, identity: { actor: `account:${user.email}`, via: 'account', email: user.email } };
  }
  const url = new URL(request.url);
  if (settings.devBypass && settings.mailTransport === 'dev' && isLoopbackUrl(url)) {
    // No author is signed in: a test goes to whoever is signed in on the site, else the author types an address.
    return { ok: true, identity: { actor: 'dev-bypass', via: 'dev', email: user?.email ?? null } };
  }
  if (settings.access) return { ok: false, reason: 'no Cf-Access-Jwt-Assertion header' };
  return { ok: false, reason: 'sign in through Cloudflare Access or with an admin account' };
}

// ---------------------------------------------------------------- CSRF (bound to the session, else double submit)

export const CSRF_COOKIE = 'admin_csrf';
export const CSRF_FIELD = 'csrf';
const CSRF_BYTES = 32;
/** What the session's token signs: names the use, so the MAC is worth nothing anywhere else. */
const CSRF_CONTEXT = 'astro-d1-notify admin csrf v1';

const encoder = new TextEncoder();
const base64url = (bytes: Uint8Array) =>
  btoa(String.fromCharCode(...bytes))
    .replace(/\+/g, '-')
    .replace(/\//g, '_')
    .replace(/=+$/, '');

export function newCsrfToken(): string {
  return base64url(crypto.getRandomValues(new Uint8Array(CSRF_BYTES)));
}

/**
 * An admin account's CSRF token: HMAC-SHA256 keyed with its session cookie's token (held in memory
 * only, never stored or logged; the sessions table keeps only its hash). Another session, or a
 * stranger who holds no session token, cannot make it; the MAC reveals nothing about the key.
 */
export async function sessionCsrfToken(sessionToken: string): Promise<string> {
  const key = await crypto.subtle.importKey('raw', encoder.encode(sessionToken), { name: 'HMAC', hash: 'SHA-256' }, false, ['sign']);
  return base64url(new Uint8Array(await crypto.subtle.sign('HMAC', key, encoder.encode(CSRF_CONTEXT))));
}

/** The session an account identity came in with (the middleware validated this cookie); null for Access and the dev bypass. */
const accountSession = (request: Request, identity: Pick<AdminIdentity, 'via'>): string | null =>
  identity.via === 'account' ? readCookie(request, SESSION_COOKIE) : null;

/** SameSite=Strict and scoped to the console (`…/admin`, wherever it is mounted): a cross-site page can neither send nor read it. */
export function csrfCookie(token: string, url: URL): string {
  const at = url.pathname.indexOf('/admin');
  const path = at >= 0 ? url.pathname.slice(0, at + '/admin'.length) : '/admin';
  const parts = [`${CSRF_COOKIE}=${token}`, 'HttpOnly', 'SameSite=Strict', `Path=${path}`];
  if (!isLocalHttp(url)) parts.push('Secure');
  return parts.join('; ');
}

/** The identity's CSRF token: its session's (no cookie), else the double-submit cookie's, or a new one with the cookie that sets it. */
export async function csrfFor(request: Request, identity: Pick<AdminIdentity, 'via'>): Promise<{ token: string; setCookie?: string }> {
  const session = accountSession(request, identity);
  if (session) return { token: await sessionCsrfToken(session) };
  const existing = readCookie(request, CSRF_COOKIE);
  if (existing && /^[A-Za-z0-9_-]{43}$/.test(existing)) return { token: existing };
  const token = newCsrfToken();
  return { token, setCookie: csrfCookie(token, new URL(request.url)) };
}

const sameString = (a: string, b: string): boolean => constantTimeEqual(encoder.encode(a), encoder.encode(b));

/**
 * An admin POST must come from our own origin (Origin header, as the site's middleware checks)
 * AND carry the identity's token in its form: an account's session token (a token of another
 * session is refused), else the double-submit cookie's. Either check alone is not enough.
 */
export async function checkCsrf(
  request: Request,
  submitted: string | undefined,
  identity: Pick<AdminIdentity, 'via'>,
): Promise<{ ok: true } | { ok: false; reason: string }> {
  const url = new URL(request.url);
  if (request.headers.get('origin') !== url.origin) return { ok: false, reason: 'the form was not sent from this site' };
  const session = accountSession(request, identity);
  const expected = identity.via === 'account' ? (session ? await sessionCsrfToken(session) : null) : readCookie(request, CSRF_COOKIE);
  if (!expected || !submitted || !sameString(expected, submitted)) return { ok: false, reason: 'the form has expired; reload the page and try again' };
  return { ok: true };
}

// ---------------------------------------------------------------- pages

/** Where the integration's routes are mounted, read from the console URL (`/news/admin/…` → `/news`). */
const mountOf = (url: URL) => {
  const at = url.pathname.indexOf('/admin');
  return at > 0 ? url.pathname.slice(0, at) : '';
};

/**
 * The way in, for someone the gate turned away: sign in with an admin account (granted with
 * `npx astro-d1-notify admin:grant`), and on this machine the dev bypass.
 */
export function deniedPage(reason: string, request: Request): Response {
  const url = new URL(request.url);
  const base = mountOf(url);
  const next = encodeURIComponent(url.pathname);
  const local = isLoopbackUrl(url)
    ? '<h2>On your own machine</h2><p>Set <code>ADMIN_DEV_BYPASS=1</code> and <code>MAIL_TRANSPORT=dev</code> in <code>.dev.vars</code> ' +
      'and restart the dev server: the console then opens without signing in, on localhost only.</p>'
    : '';
  const help =
    '<h2>Authors</h2><p>Give your account the admin role once, from the project: <code>npx astro-d1-notify admin:grant you@example.com</code> ' +
    `(add <code>--remote</code> for the deployed database), then <a href="${base}/account/login?next=${next}">sign in</a> with that address.</p>${local}`;
  return forbiddenPage(reason, 403, help);
}

const escapeHtml = (s: string) => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

/** The refusal page: a plain, accessible document that says why (never echoing the token). */
export function forbiddenPage(reason: string, status = 403, help = ''): Response {
  const body = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>Access denied · Author console</title>
<style>body{font-family:system-ui,sans-serif;line-height:1.5;margin:0;padding:1rem;max-width:40rem;overflow-wrap:anywhere}
code{background:#f0f0f0;padding:0 .2rem}a{color:#1f4e8c}</style></head>
<body><main><h1>Access denied</h1><p>The author console refused this request: ${escapeHtml(reason)}.</p>
${help}<p><a href="/">Back to the site</a></p></main></body></html>`;
  return new Response(body, {
    status,
    headers: { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-store', 'x-robots-tag': 'noindex' },
  });
}
