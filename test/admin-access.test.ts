/**
 * Who gets into /admin: Cloudflare Access JWTs checked against a JWKS stand-in on 127.0.0.1,
 * admin accounts, the loopback dev bypass; and CSRF on every admin POST.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { User } from '../db/schema';
import { accessConfigFrom, accessIssuer, type AccessConfig } from '../integration/server/admin/access';
import { SESSION_COOKIE } from '../integration/server/auth/cookies';
import { CSRF_COOKIE, newCsrfToken, sessionCsrfToken, type AdminSettings } from '../integration/server/admin/gate';
import { handleAdminPost, openAdminPage } from '../integration/server/admin/request';
import { ACCESS_TAG, startAccessStandin, TEAM_ISSUER, type AccessStandin } from './helpers/access-standin';

let standin: AccessStandin;
let access: AccessConfig;
const SITE = 'https://blog.example.com';

beforeAll(async () => {
  standin = await startAccessStandin();
  access = accessConfigFrom({ ACCESS_TEAM_DOMAIN: 'plainwords', ACCESS_AUD: ACCESS_TAG, ACCESS_JWKS_URL: standin.jwksUrl })!;
});
afterAll(async () => {
  await standin?.close();
});

const settings = (over: Partial<AdminSettings> = {}): AdminSettings => ({ access, devBypass: false, mailTransport: 'gmail', ...over });
const get = (token?: string, url = `${SITE}/admin`) => new Request(url, { headers: token ? { 'cf-access-jwt-assertion': token } : {} });
const reader = (over: Partial<User> = {}) => ({ id: 'u1', email: 'someone@example.com', role: 'reader', emailVerified: true, ...over }) as User;

async function refusal(result: Awaited<ReturnType<typeof openAdminPage>>): Promise<string> {
  expect(result).toBeInstanceOf(Response);
  const response = result as Response;
  expect(response.status).toBe(403);
  expect(response.headers.get('content-type')).toContain('text/html');
  return response.text();
}

describe('Cloudflare Access JWT', () => {
  it('derives the issuer and certs URL from the team domain', () => {
    expect(accessIssuer('plainwords')).toBe(TEAM_ISSUER);
    expect(accessIssuer('https://plainwords.cloudflareaccess.com/')).toBe(TEAM_ISSUER);
    expect(accessConfigFrom({ ACCESS_TEAM_DOMAIN: 'plainwords', ACCESS_AUD: 'x' })!.jwksUrl).toBe(`${TEAM_ISSUER}/cdn-cgi/access/certs`);
    expect(accessConfigFrom({ ACCESS_TEAM_DOMAIN: 'plainwords' })).toBeNull();
    expect(() => accessIssuer('evil.com/<script>')).toThrow(/not a host name/);
  });

  it('lets a valid token in, with the Access email as the actor', async () => {
    const page = await openAdminPage(get(await standin.sign({})), null, settings());
    expect(page).not.toBeInstanceOf(Response);
    if (page instanceof Response) return;
    expect(page.identity).toEqual({ actor: 'access:author@example.com', via: 'access', email: 'author@example.com' });
    expect(page.csrf).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(page.setCookie).toContain(`${CSRF_COOKIE}=${page.csrf}`);
    expect(page.setCookie).toContain('SameSite=Strict');
    expect(page.setCookie).toContain('Secure');
  });

  it('refuses an expired token', async () => {
    const token = await standin.sign({ iat: Math.floor(Date.now() / 1000) - 3600 }, { expiresIn: Math.floor(Date.now() / 1000) - 600 });
    expect(await refusal(await openAdminPage(get(token), null, settings()))).toContain('expired');
  });

  it('refuses a token that is not valid yet (nbf)', async () => {
    const token = await standin.sign({ nbf: Math.floor(Date.now() / 1000) + 3600 });
    expect(await refusal(await openAdminPage(get(token), null, settings()))).toContain('nbf claim');
  });

  it('refuses a token for another application (aud) or another team (iss)', async () => {
    const wrongAud = await standin.sign({ aud: ['someone-elses-app'] });
    expect(await refusal(await openAdminPage(get(wrongAud), null, settings()))).toContain('aud claim');
    const wrongIss = await standin.sign({ iss: 'https://attacker.cloudflareaccess.com' });
    expect(await refusal(await openAdminPage(get(wrongIss), null, settings()))).toContain('iss claim');
  });

  it("refuses a token signed by a key that is not the team's (same kid)", async () => {
    const forged = await standin.sign({}, { key: 'stranger' });
    expect(await refusal(await openAdminPage(get(forged), null, settings()))).toContain('signature does not verify');
  });

  it('refuses an unknown kid, HS256 and garbage', async () => {
    expect(await refusal(await openAdminPage(get(await standin.sign({}, { kid: 'nope' })), null, settings()))).toContain('unknown key');
    const [h, p] = (await standin.sign({})).split('.');
    const header = Buffer.from(JSON.stringify({ alg: 'HS256', kid: 'served-key-1' })).toString('base64url');
    expect(await refusal(await openAdminPage(get(`${header}.${p}.AAAA`), null, settings()))).toContain('refused algorithm');
    expect(await refusal(await openAdminPage(get(`${h}.${p}`), null, settings()))).toContain('malformed');
    expect(await refusal(await openAdminPage(get('x'.repeat(20_000)), null, settings()))).toContain('too long');
  });

  it('refuses a request without the header, and never echoes a token', async () => {
    expect(await refusal(await openAdminPage(get(), null, settings()))).toContain('no Cf-Access-Jwt-Assertion header');
    const token = await standin.sign({ aud: ['other'] });
    expect(await refusal(await openAdminPage(get(token), null, settings()))).not.toContain(token.split('.')[2]!);
  });

  it('caches the keys: many verifications, one fetch', async () => {
    const before = standin.fetches();
    for (let i = 0; i < 5; i += 1) expect(await openAdminPage(get(await standin.sign({})), null, settings())).not.toBeInstanceOf(Response);
    expect(standin.fetches() - before).toBeLessThanOrEqual(1);
  });

  it('does not fall back to an account or the bypass when a present token is bad', async () => {
    const bad = await standin.sign({ aud: ['other'] });
    const admin = reader({ role: 'admin' });
    await refusal(await openAdminPage(get(bad), admin, settings()));
  });
});

describe('admin accounts and the dev bypass', () => {
  it('lets a verified admin account in; a reader, or an unverified admin, gets 403', async () => {
    const page = await openAdminPage(get(), reader({ role: 'admin', email: 'boss@example.com' }), settings());
    expect(page).toMatchObject({ identity: { actor: 'account:boss@example.com', via: 'account' } });
    await refusal(await openAdminPage(get(), reader(), settings()));
    await refusal(await openAdminPage(get(), reader({ role: 'admin', emailVerified: false, emailProvenAt: null }), settings()));
  });

  it('allows the dev bypass only with ADMIN_DEV_BYPASS, the dev transport and a loopback host', async () => {
    const local = 'http://127.0.0.1:4321/admin';
    const dev = settings({ access: null, devBypass: true, mailTransport: 'dev' });
    expect(await openAdminPage(get(undefined, local), null, dev)).toMatchObject({ identity: { actor: 'dev-bypass', via: 'dev' } });
    expect(await openAdminPage(get(undefined, 'http://localhost:4321/admin'), null, dev)).toMatchObject({ identity: { via: 'dev' } });
    await refusal(await openAdminPage(get(undefined, `${SITE}/admin`), null, dev));
    await refusal(await openAdminPage(get(undefined, local), null, { ...dev, mailTransport: 'gmail' }));
    await refusal(await openAdminPage(get(undefined, local), null, { ...dev, devBypass: false }));
  });
});

describe('the way in', () => {
  it('the 403 page names admin:grant and links to sign in; on localhost it also explains the dev bypass', async () => {
    const remote = await refusal(await openAdminPage(get(undefined, `${SITE}/news/admin/posts`), reader(), settings({ access: null })));
    expect(remote).toContain('npx astro-d1-notify admin:grant you@example.com');
    expect(remote).toContain('href="/news/account/login?next=%2Fnews%2Fadmin%2Fposts"');
    expect(remote).not.toContain('ADMIN_DEV_BYPASS');
    const local = await refusal(await openAdminPage(get(undefined, 'http://localhost:4321/admin'), null, settings({ access: null })));
    expect(local).toContain('<code>ADMIN_DEV_BYPASS=1</code> and <code>MAIL_TRANSPORT=dev</code>');
  });

  it("the dev bypass sends tests to the signed-in reader's address, never an invented one", async () => {
    const dev = settings({ access: null, devBypass: true, mailTransport: 'dev' });
    const local = 'http://127.0.0.1:4321/admin';
    expect(await openAdminPage(get(undefined, local), null, dev)).toMatchObject({ identity: { email: null } });
    expect(await openAdminPage(get(undefined, local), reader({ email: 'me@example.org' }), dev)).toMatchObject({
      identity: { actor: 'dev-bypass', email: 'me@example.org' },
    });
  });
});

describe('CSRF on admin POSTs', () => {
  const CSRF = 'A'.repeat(43);
  const post = (opts: { origin?: string | null; cookie?: string | null; field?: string | null; token?: string }) => {
    const body = new URLSearchParams();
    if (opts.field !== null) body.set('csrf', opts.field ?? CSRF);
    const headers: Record<string, string> = { 'content-type': 'application/x-www-form-urlencoded' };
    if (opts.origin !== null) headers.origin = opts.origin ?? SITE;
    if (opts.cookie !== null) headers.cookie = `${CSRF_COOKIE}=${opts.cookie ?? CSRF}`;
    if (opts.token) headers['cf-access-jwt-assertion'] = opts.token;
    return new Request(`${SITE}/admin/posts/x/hold`, { method: 'POST', headers, body });
  };
  const ran: string[] = [];
  const action = async ({ identity }: { identity: { actor: string } }) => {
    ran.push(identity.actor);
    return new Response(null, { status: 303, headers: { location: '/admin' } });
  };

  it('runs the action with a valid token, same origin and matching cookie', async () => {
    ran.length = 0;
    const response = await handleAdminPost(post({ token: await standin.sign({}) }), null, settings(), action);
    expect(response.status).toBe(303);
    expect(ran).toEqual(['access:author@example.com']);
  });

  it('refuses cross-site, missing or mismatched tokens, and unauthenticated POSTs, without running the action', async () => {
    ran.length = 0;
    const token = await standin.sign({});
    for (const bad of [
      post({ token, origin: 'https://evil.example' }),
      post({ token, origin: null }),
      post({ token, cookie: null }),
      post({ token, field: null }),
      post({ token, field: 'B'.repeat(43) }),
      post({}),
    ]) {
      const response = await handleAdminPost(bad, null, settings(), action);
      expect(response.status).toBe(403);
    }
    expect(ran).toEqual([]);
  });

  it('answers 413 to a huge body and 415 to JSON', async () => {
    const token = await standin.sign({});
    const huge = new Request(`${SITE}/admin/x`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', origin: SITE, 'cf-access-jwt-assertion': token },
      body: `csrf=${'x'.repeat(100_000)}`,
    });
    expect((await handleAdminPost(huge, null, settings(), action)).status).toBe(413);
    const json = new Request(`${SITE}/admin/x`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', origin: SITE, 'cf-access-jwt-assertion': token },
      body: '{}',
    });
    expect((await handleAdminPost(json, null, settings(), action)).status).toBe(415);
  });
});

describe('CSRF bound to an admin account’s session', () => {
  const admin = reader({ role: 'admin', email: 'the.author@example.org' });
  const noAccess = settings({ access: null });
  const SESSION_A = newCsrfToken(); // session tokens have the same shape: 32 random bytes, base64url
  const SESSION_B = newCsrfToken();
  const page = async (session: string) => {
    const opened = await openAdminPage(new Request(`${SITE}/admin`, { headers: { cookie: `${SESSION_COOKIE}=${session}` } }), admin, noAccess);
    if (opened instanceof Response) throw new Error(`refused: ${await opened.text()}`);
    return opened;
  };
  const post = (session: string, field: string, extraCookie = '') =>
    new Request(`${SITE}/admin/posts/x/action`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', origin: SITE, cookie: `${SESSION_COOKIE}=${session}${extraCookie}` },
      body: new URLSearchParams({ csrf: field }),
    });
  const ran: string[] = [];
  const action = async ({ identity }: { identity: { actor: string } }) => {
    ran.push(identity.actor);
    return new Response(null, { status: 303, headers: { location: '/admin' } });
  };

  it('hands out the session’s own token, with no cookie, the same on every page of that session', async () => {
    const a = await page(SESSION_A);
    expect(a.identity.via).toBe('account');
    expect(a.csrf).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(a.setCookie).toBeUndefined();
    expect(a.csrf).toBe(await sessionCsrfToken(SESSION_A));
    expect((await page(SESSION_A)).csrf).toBe(a.csrf);
    expect((await page(SESSION_B)).csrf).not.toBe(a.csrf);
    expect(a.csrf).not.toContain(SESSION_A);
  });

  it('takes the session’s token and refuses a token of another admin session, or a double-submit pair', async () => {
    ran.length = 0;
    const mine = (await page(SESSION_A)).csrf;
    const theirs = (await page(SESSION_B)).csrf;
    expect((await handleAdminPost(post(SESSION_A, mine), admin, noAccess, action)).status).toBe(303);
    expect(ran).toEqual(['account:the.author@example.org']);

    const random = newCsrfToken();
    for (const bad of [post(SESSION_A, theirs), post(SESSION_B, mine), post(SESSION_A, random, `; ${CSRF_COOKIE}=${random}`), post(SESSION_A, '')]) {
      const response = await handleAdminPost(bad, admin, noAccess, action);
      expect(response.status).toBe(403);
      const body = await response.text();
      expect(body).toContain('the form has expired');
      for (const secret of [SESSION_A, SESSION_B]) expect(body).not.toContain(secret);
    }
    expect(ran).toHaveLength(1);
  });
});
