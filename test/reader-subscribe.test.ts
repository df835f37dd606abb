import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { emailNotificationHistory, users } from '../db/schema';
import { createUser, getUserByEmail } from '../db/readers/users';
import { unsubscribeUserFromAll } from '../db/readers/preferences';
import { handleSubscribeApi, handleSubscribeForm } from '../integration/server/reader/subscribe';
import { handleVerify, showVerify } from '../integration/server/reader/verify';
import { VERIFICATION_TTL_SECONDS } from '../integration/server/verification';
import { sha256Hex } from '../db/crypto';
import { createTestD1, type TestD1 } from './helpers/d1';
import { fakeDeps, formRequest, jsonRequest, SITE, tokenOf } from './helpers/reader';

let t: TestD1;
beforeAll(async () => {
  t = await createTestD1();
});
afterAll(async () => {
  await t?.dispose();
});

const historyOf = async (userId: string) =>
  (await t.db.select().from(emailNotificationHistory).where(eq(emailNotificationHistory.userId, userId))).map((r) => r.action);

describe('subscribe (form and JSON)', () => {
  it('creates an unverified reader with the chosen settings, stores only the token hash, and mails a verify link', async () => {
    const deps = fakeDeps();
    const result = await handleSubscribeForm(
      t.db,
      formRequest('/subscribe', { email: ' New.Reader@Example.com ', contentTypes: ['blog', 'thought'], frequency: 'daily' }),
      deps,
    );
    expect(result.type).toBe('response');
    if (result.type !== 'response') return;
    expect(result.response.status).toBe(303);
    expect(result.response.headers.get('location')).toBe('/subscribe?sent=1');

    const user = (await getUserByEmail(t.db, 'new.reader@example.com'))!;
    // Nothing chosen is applied before the owner confirms: the choices wait with the token.
    expect(user).toMatchObject({
      emailVerified: false,
      emailBlogUpdates: false,
      emailThoughtUpdates: false,
      emailAnnouncements: false,
      emailVerificationChoices: { contentTypes: ['blog', 'thought'], frequency: 'daily' },
    });
    expect(deps.sent).toHaveLength(1);
    const token = tokenOf(deps.sent[0]!.verifyUrl);
    expect(deps.sent[0]!.verifyUrl.startsWith(`${SITE}/verify?token=`)).toBe(true);
    expect(token.length).toBeGreaterThanOrEqual(22); // ≥ 128 bits of base64url
    expect(user.emailVerificationToken).toBe(await sha256Hex(token));
    expect(user.emailVerificationToken).not.toContain(token);
    const ttl = (user.emailVerificationExpiresAt!.getTime() - Date.now()) / 1000;
    expect(Math.abs(ttl - VERIFICATION_TTL_SECONDS)).toBeLessThan(60);
    expect(await historyOf(user.id)).toEqual(['subscribed']);
  });

  it('answers exactly the same for a known address (no enumeration) and does not touch a confirmed reader’s settings', async () => {
    const known = await createUser(t.db, { email: 'known@example.com', emailVerified: true, emailBlogUpdates: true, emailFrequency: 'immediate' });
    const deps = fakeDeps();
    const fresh = await handleSubscribeApi(
      t.db,
      jsonRequest('/api/subscribe', { email: 'unknown-1@example.com', contentTypes: ['blog'], frequency: 'weekly' }),
      deps,
    );
    const again = await handleSubscribeApi(
      t.db,
      jsonRequest('/api/subscribe', { email: 'KNOWN@example.com', contentTypes: ['announcement'], frequency: 'weekly' }),
      deps,
    );
    expect(fresh.status).toBe(202);
    expect(again.status).toBe(202);
    expect(await again.text()).toBe(await fresh.text());
    const after = (await getUserByEmail(t.db, 'known@example.com'))!;
    expect(after).toMatchObject({ emailVerified: true, emailBlogUpdates: true, emailAnnouncements: false, emailFrequency: 'immediate' });
    expect(deps.sent.map((s) => s.email)).toEqual(['unknown-1@example.com', 'known@example.com']);
    expect(known.id).toBe(after.id);
  });

  it('makes a reader who had unsubscribed verify again', async () => {
    const user = await createUser(t.db, { email: 'left@example.com', emailVerified: true, emailBlogUpdates: true });
    await unsubscribeUserFromAll(t.db, user.id);
    const deps = fakeDeps();
    await handleSubscribeForm(t.db, formRequest('/subscribe', { email: 'left@example.com', contentTypes: 'blog', frequency: 'weekly' }), deps);
    const pending = (await getUserByEmail(t.db, 'left@example.com'))!;
    expect(pending).toMatchObject({ emailVerified: true, unsubscribeAll: true, emailStatus: 'unsubscribed', emailBlogUpdates: false }); // untouched until confirmed

    const confirmed = await handleVerify(t.db, formRequest('/verify', { token: tokenOf(deps.sent[0]!.verifyUrl) }), fakeDeps());
    expect(confirmed.type).toBe('response');
    const after = (await getUserByEmail(t.db, 'left@example.com'))!;
    expect(after).toMatchObject({ emailVerified: true, unsubscribeAll: false, emailStatus: 'active', emailBlogUpdates: true, emailFrequency: 'weekly' });
    expect(after.unsubscribedAt).toBeNull();
  });

  it('re-renders the form with a message per field for bad input and writes nothing', async () => {
    const deps = fakeDeps();
    const before = (await t.db.select().from(users)).length;
    const cases: [Record<string, string | string[]>, string][] = [
      [{ email: 'not-an-email', contentTypes: 'blog', frequency: 'daily' }, 'email'],
      [{ email: `${'a'.repeat(260)}@example.com`, contentTypes: 'blog', frequency: 'daily' }, 'email'],
      [{ contentTypes: 'blog', frequency: 'daily' }, 'email'],
      [{ email: 'ok@example.com', contentTypes: 'podcast', frequency: 'daily' }, 'contentTypes'],
      [{ email: 'ok@example.com', frequency: 'daily' }, 'contentTypes'],
      [{ email: 'ok@example.com', contentTypes: 'blog', frequency: 'hourly' }, 'frequency'],
      [{ email: 'ok@example.com', contentTypes: 'blog' }, 'frequency'],
    ];
    for (const [fields, field] of cases) {
      const result = await handleSubscribeForm(t.db, formRequest('/subscribe', fields), deps);
      expect(result.type, JSON.stringify(fields)).toBe('render');
      if (result.type !== 'render') continue;
      expect(result.status).toBe(400);
      expect(Object.keys(result.view.errors)).toContain(field);
    }
    const wrongType = await handleSubscribeForm(
      t.db,
      new Request(`${SITE}/subscribe`, { method: 'POST', headers: { 'content-type': 'application/json', origin: SITE }, body: '{}' }),
      deps,
    );
    expect(wrongType.type === 'render' && wrongType.status).toBe(415);
    expect((await t.db.select().from(users)).length).toBe(before);
    expect(deps.sent).toHaveLength(0);
  });

  it('answers the JSON API with 400 naming the field and the reason, 415 for a wrong content type', async () => {
    const deps = fakeDeps();
    const bad = await handleSubscribeApi(
      t.db,
      jsonRequest('/api/subscribe', { email: 'x@example.com', contentTypes: ['blog', 'video'], frequency: 'daily' }),
      deps,
    );
    expect(bad.status).toBe(400);
    const body = (await bad.json()) as { fields: { field: string; reason: string }[] };
    expect(body.fields[0]!.field).toBe('contentTypes');
    expect(body.fields[0]!.reason).toMatch(/video/);
    expect((await handleSubscribeApi(t.db, jsonRequest('/api/subscribe', '{not json'), deps)).status).toBe(400);
    expect((await handleSubscribeApi(t.db, jsonRequest('/api/subscribe', '[1,2]'), deps)).status).toBe(400);
    const textPlain = new Request(`${SITE}/api/subscribe`, { method: 'POST', headers: { 'content-type': 'text/plain' }, body: 'email=x@example.com' });
    const wrong = await handleSubscribeApi(t.db, textPlain, deps);
    expect(wrong.status).toBe(415);
    expect(((await wrong.json()) as { fields: { field: string }[] }).fields[0]!.field).toBe('content-type');
    expect(await getUserByEmail(t.db, 'x@example.com')).toBeUndefined();
  });

  it('rate limits per email (5 per 10 minutes) with 429 and Retry-After, counted in D1', async () => {
    // One clock, mid-window: on the real clock the six requests could straddle a window's edge.
    const deps = fakeDeps({ now: () => new Date('2026-11-30T12:05:00Z') });
    const statuses: number[] = [];
    let last: Response | undefined;
    for (let i = 0; i < 6; i++) {
      last = await handleSubscribeApi(
        t.db,
        jsonRequest(
          '/api/subscribe',
          { email: 'busy@example.com', contentTypes: ['blog'], frequency: 'daily' },
          { headers: { 'cf-connecting-ip': `198.51.100.${i}` } },
        ),
        deps,
      );
      statuses.push(last.status);
    }
    expect(statuses).toEqual([202, 202, 202, 202, 202, 429]);
    expect(Number(last!.headers.get('retry-after'))).toBeGreaterThan(0);
    expect(deps.sent).toHaveLength(5);
    const form = await handleSubscribeForm(t.db, formRequest('/subscribe', { email: 'busy@example.com', contentTypes: 'blog', frequency: 'daily' }), deps);
    expect(form.type === 'render' && form.status).toBe(429);
    expect(form.type === 'render' && form.headers?.['retry-after']).toBeTruthy();
  });

  it('rate limits per IP (20 per 10 minutes)', async () => {
    const deps = fakeDeps({ now: () => new Date('2026-11-30T12:05:00Z') }); // one clock, mid-window
    const statuses: number[] = [];
    for (let i = 0; i < 21; i++) {
      const r = await handleSubscribeApi(
        t.db,
        jsonRequest(
          '/api/subscribe',
          { email: `ip-${i}@example.com`, contentTypes: ['blog'], frequency: 'daily' },
          { headers: { 'cf-connecting-ip': '192.0.2.55' } },
        ),
        deps,
      );
      statuses.push(r.status);
    }
    expect(statuses.filter((s) => s === 202)).toHaveLength(20);
    expect(statuses.at(-1)).toBe(429);
  });

  it('keeps answering when the mail cannot be sent (the queue retries)', async () => {
    const deps = fakeDeps({ sendVerification: async () => Promise.reject(new Error('smtp down')) });
    const r = await handleSubscribeApi(t.db, jsonRequest('/api/subscribe', { email: 'flaky@example.com', contentTypes: ['blog'], frequency: 'daily' }), deps);
    expect(r.status).toBe(202);
  });
});

describe('verify', () => {
  async function subscribeAndGetToken(email: string) {
    const deps = fakeDeps();
    await handleSubscribeApi(
      t.db,
      jsonRequest('/api/subscribe', { email, contentTypes: ['blog'], frequency: 'immediate' }, { headers: { 'cf-connecting-ip': email } }),
      deps,
    );
    return tokenOf(deps.sent[0]!.verifyUrl);
  }

  it('GET shows a confirm button and changes nothing', async () => {
    const token = await subscribeAndGetToken('get-only@example.com');
    const shown = await showVerify(t.db, new URL(`${SITE}/verify?token=${token}`), {});
    expect(shown).toMatchObject({ type: 'render', status: 200, view: { state: 'confirm', token, email: 'get-only@example.com' } });
    expect((await getUserByEmail(t.db, 'get-only@example.com'))!.emailVerified).toBe(false);
  });

  it('POST confirms once, records history, and lands on preferences through a fresh preference token', async () => {
    const token = await subscribeAndGetToken('confirm@example.com');
    const first = await handleVerify(t.db, formRequest('/verify', { token }), fakeDeps());
    expect(first.type).toBe('response');
    if (first.type !== 'response') return;
    expect(first.response.status).toBe(303);
    const location = first.response.headers.get('location')!;
    expect(location).toMatch(/^\/preferences\?token=[A-Za-z0-9_-]{43}&verified=1$/);
    const user = (await getUserByEmail(t.db, 'confirm@example.com'))!;
    expect(user).toMatchObject({ emailVerified: true, emailStatus: 'active', emailVerificationToken: null });
    expect(await historyOf(user.id)).toEqual(['subscribed', 'verified']);

    const second = await handleVerify(t.db, formRequest('/verify', { token }), fakeDeps());
    expect(second).toMatchObject({ type: 'render', status: 404, view: { state: 'invalid' } });
    expect(await historyOf(user.id)).toEqual(['subscribed', 'verified']);
  });

  it('refuses an expired token (48 hours) with its own page, and a forged one', async () => {
    const token = await subscribeAndGetToken('late@example.com');
    const later = () => new Date(Date.now() + VERIFICATION_TTL_SECONDS * 1000 + 1000);
    expect(await showVerify(t.db, new URL(`${SITE}/verify?token=${token}`), { now: later })).toMatchObject({ status: 410, view: { state: 'expired' } });
    expect(await handleVerify(t.db, formRequest('/verify', { token }), fakeDeps({ now: later }))).toMatchObject({ status: 410, view: { state: 'expired' } });
    expect((await getUserByEmail(t.db, 'late@example.com'))!.emailVerified).toBe(false);
    expect(await showVerify(t.db, new URL(`${SITE}/verify?token=forged`), {})).toMatchObject({ status: 404, view: { state: 'invalid' } });
    expect(await showVerify(t.db, new URL(`${SITE}/verify`), {})).toMatchObject({ status: 404 });
    expect(await handleVerify(t.db, formRequest('/verify', {}), fakeDeps())).toMatchObject({ status: 404 });
  });

  it('lets exactly one of two simultaneous confirmations win', async () => {
    const token = await subscribeAndGetToken('race@example.com');
    const results = await Promise.all([
      handleVerify(t.db, formRequest('/verify', { token }), fakeDeps()),
      handleVerify(t.db, formRequest('/verify', { token }), fakeDeps()),
    ]);
    expect(results.filter((r) => r.type === 'response')).toHaveLength(1);
    const user = (await getUserByEmail(t.db, 'race@example.com'))!;
    expect((await historyOf(user.id)).filter((a) => a === 'verified')).toHaveLength(1);
  });

  it('confirms the choices sent with this link, even for two requests in the same second, and the mail restates them', async () => {
    const email = 'same-second@example.com';
    const fixed = new Date('2031-03-04T05:06:07.100Z');
    const deps = fakeDeps({ now: () => fixed });
    const ask = (contentTypes: string[], frequency: string) =>
      handleSubscribeApi(t.db, jsonRequest('/api/subscribe', { email, contentTypes, frequency }, { headers: { 'cf-connecting-ip': `ip-${frequency}` } }), deps);
    await ask(['blog', 'thought'], 'weekly');
    await ask(['announcement'], 'daily');
    expect(deps.sent.map((m) => m.summary)).toEqual(['Blog posts and Thoughts, a weekly digest', 'Announcements, a daily digest']);
    // Both history rows carry the same second: the link, not the newest row, decides what is confirmed.
    const user = (await getUserByEmail(t.db, email))!;
    const rows = await t.db.select().from(emailNotificationHistory).where(eq(emailNotificationHistory.userId, user.id));
    expect(new Set(rows.map((r) => r.timestamp.getTime())).size).toBe(1);

    const second = tokenOf(deps.sent[1]!.verifyUrl);
    const confirmed = await handleVerify(t.db, formRequest('/verify', { token: second }), fakeDeps({ now: () => new Date(fixed.getTime() + 1000) }));
    expect(confirmed.type).toBe('response');
    expect(await getUserByEmail(t.db, email)).toMatchObject({
      emailVerified: true,
      emailBlogUpdates: false,
      emailThoughtUpdates: false,
      emailAnnouncements: true,
      emailFrequency: 'daily',
      emailVerificationChoices: null,
    });
  });
});
