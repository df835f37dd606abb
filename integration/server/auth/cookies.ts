/**
 * The session cookie: HttpOnly, SameSite=Lax, Path=/, Secure everywhere but local http dev. Its
 * name is the package's own, so a host's `session` cookie is never read or cleared.
 */
import { isLoopbackUrl } from '../../loopback';

export const SESSION_COOKIE = 'astro_d1_notify_session';

/** Secure unless the request is plain http to this machine (browsers drop Secure cookies there). */
export function isLocalHttp(url: URL): boolean {
  return url.protocol === 'http:' && isLoopbackUrl(url);
}

/** `now` is the clock the session's expiry came from, so Max-Age and Expires say the same. */
export function sessionCookie(token: string, expiresAt: Date, url: URL, now: Date = new Date()): string {
  const maxAge = Math.max(0, Math.floor((expiresAt.getTime() - now.getTime()) / 1000));
  const parts = [`${SESSION_COOKIE}=${token}`, 'HttpOnly', 'SameSite=Lax', 'Path=/', `Max-Age=${maxAge}`, `Expires=${expiresAt.toUTCString()}`];
  if (!isLocalHttp(url)) parts.push('Secure');
  return parts.join('; ');
}

export function blankSessionCookie(url: URL): string {
  const parts = [`${SESSION_COOKIE}=`, 'HttpOnly', 'SameSite=Lax', 'Path=/', 'Max-Age=0', 'Expires=Thu, 01 Jan 1970 00:00:00 GMT'];
  if (!isLocalHttp(url)) parts.push('Secure');
  return parts.join('; ');
}

/** One cookie's value from a Cookie header, or null. */
export function readCookie(request: Request, name: string): string | null {
  const header = request.headers.get('cookie');
  if (!header) return null;
  for (const pair of header.split(';')) {
    const eq = pair.indexOf('=');
    if (eq === -1) continue;
    if (pair.slice(0, eq).trim() === name) return pair.slice(eq + 1).trim() || null;
  }
  return null;
}
