import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sha256Hex } from '../db/crypto';
import { emailNotificationHistory, sessions } from '../db/schema';
import { getUserByEmail } from '../db/users';
import { readCookie } from '../integration/server/auth/cookies';
import { createUserSession, SESSION_RENEW_BELOW_SECONDS, SESSION_TTL_SECONDS, validateSessionToken } from '../integration/server/auth/session';
import { handleLogin, handleLogout, handleRegister, LOGIN_FAILED_MESSAGE, safeNext } from '../integration/server/reader/account';
import { handlePreferencesApiGet, handlePreferencesApiPut } from '../integration/server/reader/preferences';
import { createTestD1, type TestD1 } from './helpers/d1';
import { fakeDeps, formRequest, jsonRequest, SITE } from './helpers/reader';

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
  return readCookie(new Request(SITE, { headers: { cookie: header.split(';')[0]! } }), 'session');
}

async function register(email: string, password = 'a long enough password') {
  const deps = fakeDeps();
  const result = await handleRegister(t.db, formRequest('/account/register', { email, password }, { 'cf-connecting-ip': email }), deps);
  return { result, deps };
}

async function login(email: string, password: string, ip = '203.0.113.50') {
  return handleLogin(t.db, formRequest('/account/login', { email, password }, { 'cf-connecting-ip': ip }), {});
}

describe('register', () => {
  it('creates a password account, signs in with a new session cookie, and sends a confirmation link', async () => {
    const { result, deps } = await register('Writer@Example.com');
    expect(result.type).toBe('response');
    if (result.type !== 'response') return;
    expect(result.response.status).toBe(303);
    expect(result.response.headers.get('location')).toBe('/preferences?welcome=1');
    const cookie = result.response.headers.get('set-cookie')!;
    expect(cookie).toMatch(/HttpOnly/);
    expect(cookie).toMatch(/SameSite=Lax/);
    expect(cookie).toMatch(/Secure/); // https://blog.example is not local dev
    const token = cookieToken(result.response)!;
    const user = (await getUserByEmail(t.db, 'writer@example.com'))!;
    expect(user.passwordHash).toMatch(/^pbkdf2-sha256\$100000\$/);
    expect(user.emailVerified).toBe(false);
    const [session] = await t.db.select().from(sessions).where(eq(sessions.userId, user.id));
    expect(session!.id).toBe(await sha256Hex(token)); // only the hash is stored
    expect(deps.sent).toHaveLength(1);
  });

  it('refuses bad input field by field, and an address that already has an account', async () => {
    const short = await handleRegister(t.db, formRequest('/account/register', { email: 'short@example.com', password: 'short' }), fakeDeps());
    expect(short).toMatchObject({ type: 'render', status: 400, view: { errors: { password: expect.stringMatching(/at least 8/) } } });
    const noEmail = await handleRegister(t.db, formRequest('/account/register', { password: 'long enough pass' }), fakeDeps());
    expect(noEmail).toMatchObject({ status: 400, view: { errors: { email: expect.any(String) } } });
    const dup = await register('writer@example.com');
    expect(dup.result).toMatchObject({ type: 'render', status: 409, view: { errors: { email: expect.stringMatching(/already exists/) } } });
    expect(await getUserByEmail(t.db, 'short@example.com')).toBeUndefined();
  });
});

describe('login and logout', () => {
  it('answers the same for an unknown email and a wrong password, in about the same time', async () => {
    await register('timing@example.com', 'right password here');
    const timed = async (email: string, ip: string) => {
      const started = performance.now();
      const result = await login(email, 'wrong password here', ip);
      return { result, ms: performance.now() - started };
    };
    const wrongRuns = [await timed('timing@example.com', '10.0.0.1'), await timed('timing@example.com', '10.0.0.2'), await timed('timing@example.com', '10.0.0.3')];
    const unknownRuns = [await timed('nobody@example.com', '10.0.0.4'), await timed('nobody@example.com', '10.0.0.5'), await timed('nobody@example.com', '10.0.0.6')];
    const wrong = wrongRuns[0]!.result;
    const unknown = unknownRuns[0]!.result;
    const wrongMs = Math.min(...wrongRuns.map((r) => r.ms));
    const unknownMs = Math.min(...unknownRuns.map((r) => r.ms));
    expect(wrong).toMatchObject({ type: 'render', status: 400, view: { errors: { form: LOGIN_FAILED_MESSAGE } } });
    expect(unknown).toMatchObject({ type: 'render', status: 400, view: { errors: { form: LOGIN_FAILED_MESSAGE } } });
    expect(JSON.stringify(unknown)).toBe(JSON.stringify(wrong).replace('timing@example.com', 'nobody@example.com'));
    // Both do one PBKDF2 at 100,000 iterations; neither may be a fraction of the other.
    expect(unknownMs).toBeGreaterThan(wrongMs * 0.4);
    expect(wrongMs).toBeGreaterThan(unknownMs * 0.4);
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

    const out = await handleLogout(t.db, new Request(`${SITE}/account/logout`, { method: 'POST', headers: { cookie: `session=${a}` } }));
    expect(out.status).toBe(303);
    expect(out.headers.get('set-cookie')).toMatch(/^session=; .*Max-Age=0/);
    expect(await validateSessionToken(t.db, a)).toBeNull();
    expect(await t.db.select().from(sessions).where(eq(sessions.id, await sha256Hex(a)))).toHaveLength(0);
    expect(await validateSessionToken(t.db, b)).not.toBeNull(); // other devices stay signed in
  });

  it('keeps ?next= on this site', () => {
    expect(safeNext('/preferences?x=1')).toBe('/preferences?x=1');
    expect(safeNext('https://evil.example/')).toBe('/preferences');
    expect(safeNext('//evil.example/')).toBe('/preferences');
    expect(safeNext(null)).toBe('/preferences');
  });

  it('rate limits login per email (10 per 15 minutes) with 429 and Retry-After', async () => {
    const statuses: number[] = [];
    let last;
    for (let i = 0; i < 11; i++) {
      last = await login('guessme@example.com', `guess ${i}`, `10.1.0.${i}`);
      statuses.push(last.type === 'render' ? last.status : 303);
    }
    expect(statuses.slice(0, 10).every((s) => s === 400)).toBe(true);
    expect(statuses[10]).toBe(429);
    expect(last!.type === 'render' && Number(last!.headers?.['retry-after'])).toBeGreaterThan(0);
  });
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
    const [row] = await t.db.select().from(sessions).where(eq(sessions.id, await sha256Hex(token)));
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
    expect(got).toMatchObject({ email: 'api@example.com', contentTypes: ['blog', 'thought', 'announcement'], frequency: 'immediate', unsubscribeAll: false });

    const put = await handlePreferencesApiPut(t.db, jsonRequest('/api/preferences', { contentTypes: ['blog'], frequency: 'weekly' }, { method: 'PUT' }), user, {});
    expect(put.status).toBe(200);
    expect(await put.json()).toMatchObject({ contentTypes: ['blog'], frequency: 'weekly', unsubscribeAll: false });
    const after = (await getUserByEmail(t.db, 'api@example.com'))!;
    expect(after).toMatchObject({ emailBlogUpdates: true, emailThoughtUpdates: false, emailAnnouncements: false, emailFrequency: 'weekly' });
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
