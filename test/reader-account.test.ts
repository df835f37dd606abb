import { eq } from 'drizzle-orm';
import { consentsOf } from '../db/readers/consent';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { sha256Hex } from '../db/crypto';
import { emailNotificationHistory, sessions } from '../db/schema';
import { getUserByEmail } from '../db/readers/users';
import { readCookie } from '../integration/server/auth/cookies';
import { createUserSession, SESSION_RENEW_BELOW_SECONDS, SESSION_TTL_SECONDS, validateSessionToken } from '../integration/server/auth/session';
import { handleLogin, handleLogout, LOGIN_FAILED_MESSAGE, safeNext } from '../integration/server/reader/account';
import { handleLinkRequest, handleSetPassword } from '../integration/server/reader/account-links';
import { handlePreferencesApiGet, handlePreferencesApiPut } from '../integration/server/reader/preferences';
import { createTestD1, type TestD1 } from './helpers/d1';
import { fakeDeps, formRequest, jsonRequest, SITE, tokenOf } from './helpers/reader';

let t: TestD1;
beforeAll(async () => {
  t = await createTestD1();
});
afterAll(async () => {
  await t?.dispose();
});

/** The session token from a response's Set-Cookie. */
function cookieToken(response: Response): string | null {
  const header = response.headers.get('set-cookie');
  if (!header) return null;
  return readCookie(new Request(SITE, { headers: { cookie: header.split(';')[0]! } }), 'astro_d1_notify_session');
}

/** A proven password account: register mails a set-password link; using it sets the password. */
async function register(email: string, password = 'a long enough password') {
  const deps = fakeDeps();
  const ip = `reg-${email}`;
  await handleLinkRequest(t.db, formRequest('/account/register', { email }, { 'cf-connecting-ip': ip }), deps, 'register');
  const link = deps.sent.at(-1)!;
  const result = await handleSetPassword(t.db, formRequest('/account/password', { token: tokenOf(link.verifyUrl), password }, { 'cf-connecting-ip': ip }), {});
  return { result, deps };
}

async function login(email: string, password: string, ip = '203.0.113.50', next?: string) {
  return handleLogin(t.db, formRequest('/account/login', { email, password, ...(next !== undefined && { next }) }, { 'cf-connecting-ip': ip }), {});
}

describe('register', () => {
  it('mails a set-password link; the password and a session exist only once the link is used', async () => {
    const deps = fakeDeps();
    const asked = await handleLinkRequest(t.db, formRequest('/account/register', { email: 'Writer@Example.com' }), deps, 'register');
    expect(asked).toMatchObject({ type: 'response' });
    if (asked.type !== 'response') return;
    expect(asked.response.status).toBe(303);
    expect(asked.response.headers.get('location')).toBe('/account/register?sent=1');
    expect(asked.response.headers.get('set-cookie')).toBeNull();
    const before = (await getUserByEmail(t.db, 'writer@example.com'))!;
    expect(before).toMatchObject({ passwordHash: null, emailProvenAt: null, emailVerified: false });
    expect(await t.db.select().from(sessions).where(eq(sessions.userId, before.id))).toHaveLength(0);
    expect(deps.sent).toHaveLength(1);
    expect(deps.sent[0]).toMatchObject({ kind: 'set_password', email: 'writer@example.com' });
    expect(deps.sent[0]!.verifyUrl).toMatch(new RegExp(`^${SITE}/account/password\\?token=`));

    const result = await handleSetPassword(
      t.db,
      formRequest('/account/password', { token: tokenOf(deps.sent[0]!.verifyUrl), password: 'a long enough password' }),
      {},
    );
    if (result.type !== 'response') throw new Error(`expected a redirect, got ${JSON.stringify(result)}`);
    expect(result.response.headers.get('location')).toBe('/preferences?password-set=1');
    const cookie = result.response.headers.get('set-cookie')!;
    expect(cookie).toMatch(/HttpOnly/);
    expect(cookie).toMatch(/SameSite=Lax/);
    expect(cookie).toMatch(/Secure/); // https://blog.example is not local dev
    const token = cookieToken(result.response)!;
    const user = (await getUserByEmail(t.db, 'writer@example.com'))!;
    expect(user.passwordHash).toMatch(/^pbkdf2-sha256\$100000\$/);
    expect(user.emailVerified).toBe(false); // a proven mailbox, but no subscription until the owner chooses one
    expect(user.emailProvenAt).not.toBeNull();
    const [session] = await t.db.select().from(sessions).where(eq(sessions.userId, user.id));
    expect(session!.id).toBe(await sha256Hex(token)); // only the hash is stored
  });

  it('refuses bad input field by field, and answers an address that already has an account exactly like a new one', async () => {
    const noEmail = await handleLinkRequest(t.db, formRequest('/account/register', { email: '' }), fakeDeps(), 'register');
    expect(noEmail).toMatchObject({ status: 400, view: { errors: { email: expect.any(String) } } });
    const short = await handleSetPassword(t.db, formRequest('/account/password', { token: 'x'.repeat(43), password: 'short' }), {});
    expect(short).toMatchObject({ type: 'render', status: 404 }); // an unknown link is refused before the password is looked at
    const known = await handleLinkRequest(
      t.db,
      formRequest('/account/register', { email: 'writer@example.com' }, { 'cf-connecting-ip': '198.51.100.1' }),
      fakeDeps(),
      'register',
    );
    const fresh = await handleLinkRequest(
      t.db,
      formRequest('/account/register', { email: 'brand-new@example.com' }, { 'cf-connecting-ip': '198.51.100.1' }),
      fakeDeps(),
      'register',
    );
    if (known.type !== 'response' || fresh.type !== 'response') throw new Error('expected redirects');
    expect(known.response.status).toBe(fresh.response.status);
    expect([...known.response.headers]).toEqual([...fresh.response.headers]);
  });
});

describe('login and logout', () => {
  it('answers the same for an unknown email and a wrong password, with the same work: one PBKDF2 each', async () => {
    await register('timing@example.com', 'right password here');
    // The work, not the wall clock (which flakes under load): count the key derivations each path runs.
    const derive = vi.spyOn(crypto.subtle, 'deriveBits');
    const derivations = async (email: string, ip: string) => {
      derive.mockClear();
      const result = await login(email, 'wrong password here', ip);
      const iterations = derive.mock.calls.map(([algorithm]) => (algorithm as Pbkdf2Params).iterations);
      return { result, iterations };
    };
    try {
      const wrong = await derivations('timing@example.com', '10.0.0.1');
      const unknown = await derivations('nobody@example.com', '10.0.0.4');
      expect(wrong.result).toMatchObject({ type: 'render', status: 400, view: { errors: { form: LOGIN_FAILED_MESSAGE } } });
      expect(unknown.result).toMatchObject({ type: 'render', status: 400, view: { errors: { form: LOGIN_FAILED_MESSAGE } } });
      expect(JSON.stringify(unknown.result)).toBe(JSON.stringify(wrong.result).replace('timing@example.com', 'nobody@example.com'));
      expect(wrong.iterations).toEqual([100_000]);
      expect(unknown.iterations).toEqual([100_000]);
    } finally {
      derive.mockRestore();
    }
  });

  it('starts a new session at each login; logout deletes it on the server; the old cookie then no longer works', async () => {
    await register('session@example.com', 'session password');
    const first = await login('session@example.com', 'session password');
    const second = await login('session@example.com', 'session password');
    if (first.type !== 'response' || second.type !== 'response') throw new Error('login failed');
    expect(first.response.headers.get('location')).toBe('/preferences');
    const a = cookieToken(first.response)!;
    const b = cookieToken(second.response)!;
    expect(a).not.toBe(b);
    expect(await validateSessionToken(t.db, a)).not.toBeNull();

    const out = await handleLogout(t.db, new Request(`${SITE}/account/logout`, { method: 'POST', headers: { cookie: `astro_d1_notify_session=${a}` } }));
    expect(out.status).toBe(303);
    expect(out.headers.get('set-cookie')).toMatch(/^astro_d1_notify_session=; .*Max-Age=0/);
    expect(await validateSessionToken(t.db, a)).toBeNull();
    expect(
      await t.db
        .select()
        .from(sessions)
        .where(eq(sessions.id, await sha256Hex(a))),
    ).toHaveLength(0);
    expect(await validateSessionToken(t.db, b)).not.toBeNull(); // other devices stay signed in
  });

  it('keeps ?next= on this site, parsed as a browser parses a Location', () => {
    expect(safeNext('/preferences?x=1', SITE)).toBe('/preferences?x=1');
    expect(safeNext(`${SITE}/preferences`, SITE)).toBe('/preferences');
    for (const evil of [
      'https://evil.example/',
      '//evil.example/',
      '/\t/evil.example',
      '/\n/evil.example',
      '\t//evil.example',
      '/\\evil.example',
      '\\\\evil.example',
      'javascript:alert(1)',
      '/\r\n/evil.example',
    ]) {
      const target = safeNext(evil, SITE);
      expect(new URL(target, SITE).origin, JSON.stringify(evil)).toBe(SITE);
      expect(target, JSON.stringify(evil)).toBe('/preferences');
    }
    // `https:x` is a relative path to a browser (same scheme): it stays here.
    expect(safeNext('https:evil.example', SITE)).toBe('/evil.example');
    // A path that would become `//host` after dot-segment removal stays on this site.
    expect(new URL(safeNext('/.//evil.example', SITE), SITE).origin).toBe(SITE);
    expect(safeNext(null)).toBe('/preferences');
  });

  it('never answers 5xx for a hostile next, and writes a session row only with the response that sets its cookie', async () => {
    await register('next@example.com', 'next password 1');
    const user = (await getUserByEmail(t.db, 'next@example.com'))!;
    const count = async () => (await t.db.select().from(sessions).where(eq(sessions.userId, user.id))).length;
    const hostile = ['/\t/evil.example', '/\x01\x7f', '/ok\u0000\r\nSet-Cookie: x=1', '/\u2028x', `/${'a'.repeat(600)}`];
    for (const next of hostile) {
      const before = await count();
      const result = await login('next@example.com', 'next password 1', '203.0.113.90', next);
      if (result.type !== 'response') throw new Error(`login for ${JSON.stringify(next)} rendered ${result.status}`);
      const location = result.response.headers.get('location')!;
      expect(result.response.status, JSON.stringify(next)).toBe(303);
      expect(new URL(location, SITE).origin).toBe(SITE);
      expect(location).not.toMatch(/[\u0000-\u001f\u007f]/);
      expect(cookieToken(result.response)).not.toBeNull();
      expect(await count()).toBe(before + 1);
    }
  });

  it('throttles wrong passwords per account and IP: a stranger cannot lock the owner out', async () => {
    await register('owner@example.com', 'owner password 1');
    const statuses: number[] = [];
    let last: Awaited<ReturnType<typeof login>> | undefined;
    for (let i = 0; i < 12; i++) {
      last = await login('owner@example.com', `guess ${i}`, '192.0.2.66'); // the stranger, one IP
      statuses.push(last.type === 'render' ? last.status : 303);
    }
    expect(statuses.slice(0, 5)).toEqual([400, 400, 400, 400, 400]);
    expect(statuses.slice(5).every((s) => s === 429)).toBe(true);
    expect(last!.type === 'render' && Number(last!.headers?.['retry-after'])).toBeGreaterThan(0);
    // The owner, from their own IP, signs in at once (today: 10 wrong guesses from anywhere lock them out for 15 minutes).
    const owner = await login('owner@example.com', 'owner password 1', '203.0.113.200');
    expect(owner.type).toBe('response');
    // Ten guesses spread over ten IPs do not lock the owner out either.
    for (let i = 0; i < 10; i++) await login('owner@example.com', `spread ${i}`, `10.9.0.${i}`);
    expect((await login('owner@example.com', 'owner password 1', '203.0.113.201')).type).toBe('response');
  });
});

describe('login throttle grows with guessing (per account and IP)', () => {
  it('allows 5 wrong passwords per 15 minutes, 10 per hour, 20 per day, and then says how long to wait', async () => {
    await register('slowly@example.com', 'slowly password 1');
    const start = new Date('2032-06-01T00:00:00Z').getTime();
    const at = (minutes: number) => () => new Date(start + minutes * 60_000);
    const guess = (minutes: number) =>
      handleLogin(t.db, formRequest('/account/login', { email: 'slowly@example.com', password: 'wrong guess' }, { 'cf-connecting-ip': '192.0.2.99' }), {
        now: at(minutes),
      });
    const burst = async (minutes: number) => {
      const out = [];
      for (let i = 0; i < 6; i++) {
        const r = await guess(minutes);
        out.push(r.type === 'render' ? r.status : 303);
      }
      return out;
    };
    expect(await burst(0)).toEqual([400, 400, 400, 400, 400, 429]);
    expect(await burst(15)).toEqual([400, 400, 400, 400, 400, 429]);
    const held = await guess(30);
    expect(held).toMatchObject({ status: 429 });
    expect(Number(held.type === 'render' && held.headers?.['retry-after'])).toBe(30 * 60); // until the hour is over
    expect(await burst(60)).toEqual([400, 400, 400, 400, 400, 429]);
    expect(await burst(75)).toEqual([400, 400, 400, 400, 400, 429]);
    const day = await guess(135);
    expect(Number(day.type === 'render' && day.headers?.['retry-after'])).toBe(24 * 60 * 60 - 135 * 60); // until the day is over
  }, 120_000); // 21 PBKDF2s at 100,000 iterations: slow on a loaded machine
});

describe('sessions', () => {
  it('slides: extended to 30 days when fewer than 15 remain, left alone before that, refused once expired', async () => {
    const { result } = await register('slide@example.com');
    const user = (await getUserByEmail(t.db, 'slide@example.com'))!;
    expect(result.type).toBe('response');
    const start = new Date('2030-01-01T00:00:00Z');
    const { token } = await createUserSession(t.db, user.id, start);
    const day = 24 * 60 * 60 * 1000;
    const early = await validateSessionToken(t.db, token, new Date(start.getTime() + 10 * day));
    expect(early?.renewed).toBe(false);
    const late = new Date(start.getTime() + (SESSION_TTL_SECONDS - SESSION_RENEW_BELOW_SECONDS + 60) * 1000);
    const renewed = await validateSessionToken(t.db, token, late);
    expect(renewed?.renewed).toBe(true);
    expect(renewed!.session.expiresAt.getTime()).toBe(late.getTime() + SESSION_TTL_SECONDS * 1000);
    const [row] = await t.db
      .select()
      .from(sessions)
      .where(eq(sessions.id, await sha256Hex(token)));
    expect(Math.floor(row!.expiresAt.getTime() / 1000)).toBe(Math.floor((late.getTime() + SESSION_TTL_SECONDS * 1000) / 1000));
    const afterExpiry = new Date(late.getTime() + SESSION_TTL_SECONDS * 1000 + 1000);
    expect(await validateSessionToken(t.db, token, afterExpiry)).toBeNull();
    expect(await validateSessionToken(t.db, 'forged-token')).toBeNull();
  });
});

describe('GET|PUT /api/preferences', () => {
  it('needs a session', async () => {
    expect(handlePreferencesApiGet(null).status).toBe(401);
    expect((await handlePreferencesApiPut(t.db, jsonRequest('/api/preferences', {}, { method: 'PUT' }), null, {})).status).toBe(401);
  });

  it('reads and updates the signed-in reader, writing preferences_updated history', async () => {
    await register('api@example.com');
    const user = (await getUserByEmail(t.db, 'api@example.com'))!;
    const got = (await handlePreferencesApiGet(user).json()) as Record<string, unknown>;
    expect(got).toMatchObject({ email: 'api@example.com', emailVerified: false, contentTypes: [], frequency: 'immediate', unsubscribeAll: false });

    const put = await handlePreferencesApiPut(
      t.db,
      jsonRequest('/api/preferences', { contentTypes: ['blog'], frequency: 'weekly' }, { method: 'PUT' }),
      user,
      {},
    );
    expect(put.status).toBe(200);
    expect(await put.json()).toMatchObject({ contentTypes: ['blog'], frequency: 'weekly', unsubscribeAll: false });
    const after = (await getUserByEmail(t.db, 'api@example.com'))!;
    expect(after).toMatchObject({
      emailVerified: true,
      emailBlogUpdates: true,
      emailThoughtUpdates: false,
      emailAnnouncements: false,
      emailFrequency: 'weekly',
    });
    // The owner's own choice activated the subscription: their confirmed consent record, with what they chose.
    const records = await consentsOf(t.db, user.id);
    expect(records.filter((c) => c.confirmedAt !== null)).toMatchObject([
      { source: 'api', choices: { contentTypes: ['blog'], frequency: 'weekly' }, ipAddress: '203.0.113.8' },
    ]);
    const history = await t.db.select().from(emailNotificationHistory).where(eq(emailNotificationHistory.userId, user.id));
    expect(history.map((h) => h.action)).toContain('preferences_updated');
  });

  it('answers bad input with 400 naming the field, a wrong content type with 415, and changes nothing', async () => {
    await register('api-bad@example.com');
    const user = (await getUserByEmail(t.db, 'api-bad@example.com'))!;
    const put = (body: unknown, headers?: Record<string, string>) =>
      handlePreferencesApiPut(t.db, jsonRequest('/api/preferences', body, { method: 'PUT', headers }), user, {});
    const cases: [unknown, string][] = [
      [{ frequency: 'hourly' }, 'frequency'],
      [{ contentTypes: ['blog', 'podcast'] }, 'contentTypes'],
      [{ contentTypes: 'blog' }, 'contentTypes'],
      [{ unsubscribeAll: 'yes' }, 'unsubscribeAll'],
      [{ colour: 'blue' }, 'colour'],
    ];
    for (const [body, field] of cases) {
      const r = await put(body);
      expect(r.status, JSON.stringify(body)).toBe(400);
      expect(((await r.json()) as { fields: { field: string }[] }).fields.map((f) => f.field)).toContain(field);
    }
    expect((await put('frequency=weekly', { 'content-type': 'application/x-www-form-urlencoded' })).status).toBe(415);
    expect((await getUserByEmail(t.db, 'api-bad@example.com'))!.emailFrequency).toBe('immediate');
  });
});
