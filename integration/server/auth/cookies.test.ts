import { describe, expect, it } from 'vitest';
import { blankSessionCookie, readCookie, SESSION_COOKIE, sessionCookie } from './cookies';

describe('session cookie', () => {
  const NOW = new Date('2026-11-30T12:00:00Z'); // one clock: the session's expiry and the cookie's Max-Age
  const expires = new Date(NOW.getTime() + 30 * 24 * 60 * 60 * 1000);

  it('carries the package’s own name, so a host’s `session` cookie is never touched', () => {
    expect(SESSION_COOKIE).toBe('astro_d1_notify_session');
    const request = new Request('https://blog.example/', { headers: { cookie: 'session=host-value' } });
    expect(readCookie(request, SESSION_COOKIE)).toBeNull();
  });

  it('is HttpOnly, SameSite=Lax, Path=/ and Secure on a public https origin', () => {
    const cookie = sessionCookie('tok', expires, new URL('https://blog.example/account/login'), NOW);
    expect(cookie).toMatch(/^astro_d1_notify_session=tok; /);
    for (const part of ['HttpOnly', 'SameSite=Lax', 'Path=/', 'Secure']) expect(cookie.split('; ')).toContain(part);
    expect(cookie.split('; ')).toContain(`Max-Age=${30 * 24 * 60 * 60}`);
    expect(cookie.split('; ')).toContain(`Expires=${expires.toUTCString()}`);
  });

  it('drops Secure only for plain http on localhost (local dev)', () => {
    expect(sessionCookie('t', expires, new URL('http://localhost:4321/'))).not.toContain('Secure');
    expect(sessionCookie('t', expires, new URL('http://127.0.0.1:8787/'))).not.toContain('Secure');
    expect(sessionCookie('t', expires, new URL('http://blog.example/'))).toContain('Secure');
  });

  it('clears with Max-Age=0', () => {
    expect(blankSessionCookie(new URL('https://blog.example/'))).toMatch(/^astro_d1_notify_session=; .*Max-Age=0/);
  });

  it('reads one cookie out of a Cookie header', () => {
    const request = new Request('https://blog.example/', { headers: { cookie: 'a=1; session=abc_DEF-1; b=2' } });
    expect(readCookie(request, 'session')).toBe('abc_DEF-1');
    expect(readCookie(request, 'missing')).toBeNull();
    expect(readCookie(new Request('https://blog.example/'), 'session')).toBeNull();
  });
});
