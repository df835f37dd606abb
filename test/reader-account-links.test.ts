/**
 * Issue 8: account pre-takeover (defect 1), sign-in links, password reset, setting a password
 * as an email-only subscriber, and "a sign-in link always works" (defect 8). Real local D1,
 * handlers called with a Request.
 */
import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sha256Hex } from '../db/crypto';
import { accountTokens, sessions } from '../db/schema';
import { createUser, getUserByEmail } from '../db/readers/users';
import { readCookie } from '../integration/server/auth/cookies';
import { hashPassword } from '../integration/server/auth/password';
import { createUserSession, validateSessionToken } from '../integration/server/auth/session';
import { handleLogin, LOGIN_FAILED_MESSAGE } from '../integration/server/reader/account';
import { handleLinkRequest, handleSetPassword, handleSignInLink, showAccountLink, type LinkRequestKind } from '../integration/server/reader/account-links';
import { handleSubscribeApi } from '../integration/server/reader/subscribe';
import { handleVerify } from '../integration/server/reader/verify';
import { createTestD1, type TestD1 } from './helpers/d1';
import { fakeDeps, formRequest, jsonRequest, SITE, tokenOf } from './helpers/reader';

let t: TestD1;
beforeAll(async () => {
  t = await createTestD1();
});
afterAll(async () => {
  await t?.dispose();
});

const cookieToken = (response: Response): string | null => {
  const header = response.headers.get('set-cookie');
  return header ? readCookie(new Request(SITE, { headers: { cookie: header.split(';')[0]! } }), 'astro_d1_notify_session') : null;
};

let ipCounter = 0;
const freshIp = () => `198.18.${Math.floor(++ipCounter / 250)}.${ipCounter % 250}`;

async function ask(email: string, kind: LinkRequestKind, ip = freshIp()) {
  const deps = fakeDeps();
  const result = await handleLinkRequest(
    t.db,
    formRequest(`/account/${kind === 'sign_in' ? 'sign-in-link' : kind}`, { email }, { 'cf-connecting-ip': ip }),
    deps,
    kind,
  );
  return { result, deps, token: deps.sent[0] ? tokenOf(deps.sent[0].verifyUrl) : null };
}

const useSignIn = (token: string, now?: () => Date) => handleSignInLink(t.db, formRequest('/account/link', { token }), now ? { now } : {});
const setPassword = (token: string, password: string) => handleSetPassword(t.db, formRequest('/account/password', { token, password }), {});
const login = (email: string, password: string, ip = freshIp()) =>
  handleLogin(t.db, formRequest('/account/login', { email, password }, { 'cf-connecting-ip': ip }), {});
const sessionsOf = async (userId: string) => t.db.select().from(sessions).where(eq(sessions.userId, userId));

/** What today's register left behind: an unproven address with a stranger's password and session. */
async function strangerAccount(email: string) {
  const user = await createUser(t.db, { email, passwordHash: await hashPassword('stranger password'), emailVerified: false, emailBlogUpdates: true });
  const { token } = await createUserSession(t.db, user.id);
  return { user, sessionToken: token };
}

describe('defect 1: account pre-takeover', () => {
  it('register gives a stranger neither a session nor a password on an address they have not proven', async () => {
    const { result, deps } = await ask('victim@example.com', 'register');
    if (result.type !== 'response') throw new Error('expected a redirect');
    expect(result.response.headers.get('set-cookie')).toBeNull();
    const user = (await getUserByEmail(t.db, 'victim@example.com'))!;
    expect(user.passwordHash).toBeNull();
    expect(await sessionsOf(user.id)).toHaveLength(0);
    expect(deps.sent[0]!.email).toBe('victim@example.com'); // only the mailbox gets the way in
  });

  it('a session or password made before the mailbox was proven does not work, and the owner confirming revokes them', async () => {
    const { user, sessionToken } = await strangerAccount('owner1@example.com');
    expect(await validateSessionToken(t.db, sessionToken)).toBeNull();
    expect(await login('owner1@example.com', 'stranger password')).toMatchObject({ status: 400, view: { errors: { form: LOGIN_FAILED_MESSAGE } } });

    const deps = fakeDeps();
    await handleSubscribeApi(
      t.db,
      jsonRequest(
        '/api/subscribe',
        { email: 'owner1@example.com', contentTypes: ['blog'], frequency: 'immediate' },
        { headers: { 'cf-connecting-ip': freshIp() } },
      ),
      deps,
    );
    const confirmed = await handleVerify(t.db, formRequest('/verify', { token: tokenOf(deps.sent[0]!.verifyUrl) }), fakeDeps());
    expect(confirmed.type).toBe('response');
    const after = (await getUserByEmail(t.db, 'owner1@example.com'))!;
    expect(after).toMatchObject({ emailVerified: true, passwordHash: null });
    expect(after.emailProvenAt).not.toBeNull();
    expect(await sessionsOf(user.id)).toHaveLength(0);
    expect(await validateSessionToken(t.db, sessionToken)).toBeNull();
    expect(await login('owner1@example.com', 'stranger password')).toMatchObject({ status: 400 });
  });

  it('a sign-in link as first proof revokes the earlier session and password too', async () => {
    const { user } = await strangerAccount('owner2@example.com');
    const { token } = await ask('owner2@example.com', 'sign_in');
    const used = await useSignIn(token!);
    if (used.type !== 'response') throw new Error('expected a redirect');
    const remaining = await sessionsOf(user.id);
    expect(remaining.map((s) => s.id)).toEqual([await sha256Hex(cookieToken(used.response)!)]);
    expect((await getUserByEmail(t.db, 'owner2@example.com'))!.passwordHash).toBeNull();
  });

  it('setting a password by link signs out every other session', async () => {
    const { token } = await ask('owner3@example.com', 'register');
    const first = await setPassword(token!, 'first password 1');
    if (first.type !== 'response') throw new Error('expected a redirect');
    const older = cookieToken(first.response)!;
    const { token: reset } = await ask('owner3@example.com', 'reset');
    const second = await setPassword(reset!, 'second password 2');
    if (second.type !== 'response') throw new Error('expected a redirect');
    expect(await validateSessionToken(t.db, older)).toBeNull();
    expect(await validateSessionToken(t.db, cookieToken(second.response)!)).not.toBeNull();
    expect(await login('owner3@example.com', 'first password 1')).toMatchObject({ status: 400 });
    expect((await login('owner3@example.com', 'second password 2')).type).toBe('response');
  });
});

describe('sign-in links', () => {
  it('mail a 15-minute, single-use link whose token is stored only as a hash', async () => {
    await createUser(t.db, { email: 'reader@example.com', emailVerified: true, emailBlogUpdates: true });
    const { result, deps, token } = await ask('reader@example.com', 'sign_in');
    expect(result.type === 'response' && result.response.headers.get('location')).toBe('/account/sign-in-link?sent=1');
    expect(deps.sent[0]).toMatchObject({ kind: 'sign_in', email: 'reader@example.com' });
    expect(deps.sent[0]!.verifyUrl).toMatch(new RegExp(`^${SITE}/account/link\\?token=[A-Za-z0-9_-]{43}$`));
    const [row] = await t.db
      .select()
      .from(accountTokens)
      .where(eq(accountTokens.tokenHash, await sha256Hex(token!)));
    expect(row).toMatchObject({ purpose: 'sign_in', usedAt: null });
    expect((row!.expiresAt.getTime() - row!.createdAt.getTime()) / 1000).toBe(15 * 60);
    expect(JSON.stringify(await t.db.select().from(accountTokens))).not.toContain(token!);

    expect(await showAccountLink(t.db, new URL(`${SITE}/account/link?token=${token}`), 'sign_in', {})).toMatchObject({
      status: 200,
      view: { state: 'confirm' },
    });
    expect(await useSignIn(token!, () => new Date(Date.now() + 15 * 60 * 1000 + 1000))).toMatchObject({ status: 410, view: { state: 'expired' } });
    const used = await useSignIn(token!);
    expect(used.type === 'response' && used.response.headers.get('location')).toBe('/preferences?signed-in=1');
    expect(await useSignIn(token!)).toMatchObject({ status: 404, view: { state: 'invalid' } });
    const [spent] = await t.db.select().from(accountTokens).where(eq(accountTokens.id, row!.id));
    expect(spent!.usedAt).not.toBeNull();
  });

  it('lets exactly one of two simultaneous uses sign in', async () => {
    await createUser(t.db, { email: 'race-link@example.com', emailVerified: true });
    const { token } = await ask('race-link@example.com', 'sign_in');
    const results = await Promise.all([useSignIn(token!), useSignIn(token!)]);
    expect(results.filter((r) => r.type === 'response')).toHaveLength(1);
  });

  it('take only their own purpose: a set-password link does not sign in, a sign-in link does not set a password', async () => {
    await createUser(t.db, { email: 'purpose@example.com', emailVerified: true });
    const { token: signIn } = await ask('purpose@example.com', 'sign_in');
    const { token: password } = await ask('purpose@example.com', 'reset');
    expect(await setPassword(signIn!, 'a brand new password')).toMatchObject({ status: 404 });
    expect(await useSignIn(password!)).toMatchObject({ status: 404 });
    expect((await getUserByEmail(t.db, 'purpose@example.com'))!.passwordHash).toBeNull();
  });

  it('answer the same for known, unknown and blocked addresses, and mail only a known, deliverable one', async () => {
    await createUser(t.db, { email: 'known@example.com', emailVerified: true });
    await createUser(t.db, { email: 'blocked@example.com', emailVerified: true }).then((u) =>
      t.d1.prepare("UPDATE users SET email_status = 'blocked' WHERE id = ?").bind(u.id).run(),
    );
    const ip = freshIp();
    const answers = [];
    for (const email of ['known@example.com', 'nobody-here@example.com', 'blocked@example.com']) {
      for (const kind of ['sign_in', 'reset'] as const) {
        const { result, deps } = await ask(email, kind, ip);
        if (result.type !== 'response') throw new Error('expected a redirect');
        answers.push({ kind, status: result.response.status, headers: [...result.response.headers], mailed: deps.sent.length });
      }
    }
    expect(
      answers
        .filter((a) => a.kind === 'sign_in')
        .map(({ status, headers }) => JSON.stringify({ status, headers }))
        .every((a, _, all) => a === all[0]),
    ).toBe(true);
    expect(answers.map((a) => a.mailed)).toEqual([1, 1, 0, 0, 0, 0]);
    expect(await getUserByEmail(t.db, 'nobody-here@example.com')).toBeUndefined(); // sign-in and reset create nobody
  });

  it('stop mailing one address after 5 an hour with the same answer, and refuse an IP after 10 with 429', async () => {
    await createUser(t.db, { email: 'flood@example.com', emailVerified: true });
    const mailed: number[] = [];
    for (let i = 0; i < 7; i++) mailed.push((await ask('flood@example.com', 'sign_in')).deps.sent.length);
    expect(mailed).toEqual([1, 1, 1, 1, 1, 0, 0]);
    const ip = freshIp();
    const statuses: number[] = [];
    for (let i = 0; i < 11; i++) {
      const { result } = await ask(`ip-${i}@example.com`, 'sign_in', ip);
      statuses.push(result.type === 'response' ? result.response.status : result.status);
    }
    expect(statuses.slice(0, 10).every((s) => s === 303)).toBe(true);
    expect(statuses[10]).toBe(429);
  });
});

describe('defect 8 and the subscriber without a password', () => {
  it('a sign-in link works while password guesses from a stranger are throttled', async () => {
    const { token } = await ask('busy@example.com', 'register');
    await setPassword(token!, 'busy password 1');
    const stranger = freshIp();
    for (let i = 0; i < 8; i++) await login('busy@example.com', `guess ${i}`, stranger);
    expect(await login('busy@example.com', 'busy password 1', stranger)).toMatchObject({ status: 429 });
    const { token: link } = await ask('busy@example.com', 'sign_in');
    expect((await useSignIn(link!)).type).toBe('response');
  });

  it('an email-only subscriber sets a password after proving the mailbox (no more 409)', async () => {
    const deps = fakeDeps();
    await handleSubscribeApi(
      t.db,
      jsonRequest(
        '/api/subscribe',
        { email: 'sub@example.com', contentTypes: ['thought'], frequency: 'daily' },
        { headers: { 'cf-connecting-ip': freshIp() } },
      ),
      deps,
    );
    await handleVerify(t.db, formRequest('/verify', { token: tokenOf(deps.sent[0]!.verifyUrl) }), fakeDeps());
    const { result, token } = await ask('sub@example.com', 'register');
    expect(result.type === 'response' && result.response.status).toBe(303);
    expect((await setPassword(token!, 'subscriber password')).type).toBe('response');
    expect((await login('sub@example.com', 'subscriber password')).type).toBe('response');
    // Setting a password changed nothing about what they get.
    expect(await getUserByEmail(t.db, 'sub@example.com')).toMatchObject({ emailThoughtUpdates: true, emailBlogUpdates: false, emailFrequency: 'daily' });
  });

  it('refuses a short password on a valid link, keeping the link usable', async () => {
    const { token } = await ask('short@example.com', 'register');
    expect(await setPassword(token!, 'short')).toMatchObject({
      status: 400,
      view: { state: 'confirm', errors: { password: expect.stringMatching(/at least 8/) } },
    });
    expect((await setPassword(token!, 'long enough now')).type).toBe('response');
  });
});

describe('link requests: the answer does the same work for every address (no timing oracle)', () => {
  it('answers before anything that depends on the address runs: lookup, reader row, token and mail come after', async () => {
    await createUser(t.db, { email: 'known-timing@example.com', emailVerified: true, emailBlogUpdates: true });
    const blocked = await createUser(t.db, { email: 'blocked-timing@example.com', emailVerified: true, emailBlogUpdates: true });
    await t.d1.prepare("UPDATE users SET email_status = 'blocked' WHERE id = ?").bind(blocked.id).run();
    const answers: string[] = [];
    for (const [email, kind] of [
      ['known-timing@example.com', 'reset'],
      ['unknown-timing@example.com', 'reset'],
      ['blocked-timing@example.com', 'sign_in'],
      ['new-timing@example.com', 'register'],
    ] as const) {
      // The work is held, not started, so the check below sees exactly what the answer waited for.
      const pending: (() => Promise<unknown>)[] = [];
      const deps = { ...fakeDeps(), afterResponse: (work: () => Promise<unknown>) => void pending.push(work) };
      const tokensBefore = (await t.db.select().from(accountTokens)).length;
      const result = await handleLinkRequest(
        t.db,
        formRequest(`/account/${kind === 'sign_in' ? 'sign-in-link' : kind}`, { email }, { 'cf-connecting-ip': freshIp() }),
        deps,
        kind,
      );
      if (result.type !== 'response') throw new Error('expected a redirect');
      answers.push(`${result.response.status} ${result.response.headers.get('location')?.replace(/\/account\/[a-z-]+/, '/account/…')}`);
      // At the answer: no token, no mail and (for register) no reader row yet, whoever the address is.
      expect(pending).toHaveLength(1);
      expect((await t.db.select().from(accountTokens)).length).toBe(tokensBefore);
      expect(deps.sent).toEqual([]);
      if (kind === 'register') expect(await getUserByEmail(t.db, email)).toBeUndefined();
      await Promise.all(pending.map((work) => work()));
      const mailed = email.startsWith('known') || email.startsWith('new');
      expect(deps.sent.map((s) => s.email)).toEqual(mailed ? [email] : []);
    }
    expect(new Set(answers)).toEqual(new Set(['303 /account/…?sent=1']));
  });
});
