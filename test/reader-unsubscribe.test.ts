import { and, eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { newId } from '../db/crypto';
import { emailNotificationHistory, emailNotifications, emailStatistics, unsubscribeTokens } from '../db/schema';
import { createUnsubscribeToken } from '../db/readers/unsubscribe-tokens';
import { createUser, getUserById } from '../db/readers/users';
import { utcDateKey } from '../db/time';
import { handlePreferencesForm, showPreferences } from '../integration/server/reader/preferences';
import { handleOneClick, handleUnsubscribe, showUnsubscribe } from '../integration/server/reader/unsubscribe';
import { createTestD1, type TestD1 } from './helpers/d1';
import { formRequest, SITE } from './helpers/reader';

let t: TestD1;
beforeAll(async () => {
  t = await createTestD1();
});
afterAll(async () => {
  await t?.dispose();
});

let counter = 0;
async function reader() {
  counter += 1;
  return createUser(t.db, {
    email: `reader-${counter}@example.com`,
    emailVerified: true,
    emailBlogUpdates: true,
    emailThoughtUpdates: true,
    emailAnnouncements: true,
  });
}

const historyOf = async (userId: string) =>
  (await t.db.select().from(emailNotificationHistory).where(eq(emailNotificationHistory.userId, userId))).filter((h) => h.action !== 'cancelled');

// The statistics tests run the handlers on this clock and read the day's row from the same instant,
// one second before a UTC midnight, so the key never depends on when the suite runs.
const AT = new Date('2026-03-01T23:59:59Z');
const clock = { now: () => AT };
const unsubscribedThatDay = async (scope: string) =>
  (await t.db.query.emailStatistics.findFirst({ where: and(eq(emailStatistics.dateKey, utcDateKey(AT)), eq(emailStatistics.contentType, scope)) }))
    ?.totalUnsubscribed ?? 0;

function oneClick(token: string | null, body: BodyInit | null, contentType: string | null = 'application/x-www-form-urlencoded', method = 'POST') {
  const headers = new Headers({ 'user-agent': 'Gmail-Unsubscriber', 'cf-connecting-ip': '209.85.0.1' });
  if (contentType) headers.set('content-type', contentType);
  const url = token === null ? `${SITE}/api/unsubscribe/one-click` : `${SITE}/api/unsubscribe/one-click?token=${token}`;
  return new Request(url, { method, headers, body: method === 'GET' ? undefined : body });
}

describe('unsubscribe page', () => {
  it('GET explains what will happen and changes nothing; POST unsubscribes from that type, records history and statistics', async () => {
    const user = await reader();
    const { token } = await createUnsubscribeToken(t.db, { userId: user.id, tokenType: 'one_click', contentType: 'blog', now: AT });
    const before = await unsubscribedThatDay('blog');

    const shown = await showUnsubscribe(t.db, new URL(`${SITE}/unsubscribe?token=${token}`), clock);
    expect(shown).toMatchObject({ type: 'render', status: 200, view: { state: 'confirm', scope: 'blog', email: user.email } });
    expect((await getUserById(t.db, user.id))!.emailBlogUpdates).toBe(true);

    const done = await handleUnsubscribe(t.db, formRequest('/unsubscribe', { token }), clock);
    expect(done).toMatchObject({ type: 'render', status: 200, view: { state: 'done', scope: 'blog' } });
    const after = (await getUserById(t.db, user.id))!;
    expect(after).toMatchObject({ emailBlogUpdates: false, emailThoughtUpdates: true, unsubscribeAll: false });
    const history = await historyOf(user.id);
    expect(history.map((h) => h.action)).toEqual(['unsubscribed']);
    expect(history[0]).toMatchObject({ ipAddress: '203.0.113.7', userAgent: 'vitest' });
    expect(await unsubscribedThatDay('blog')).toBe(before + 1);

    // A used token: "already unsubscribed", no second count.
    expect(await showUnsubscribe(t.db, new URL(`${SITE}/unsubscribe?token=${token}`), clock)).toMatchObject({ status: 200, view: { state: 'used' } });
    expect(await handleUnsubscribe(t.db, formRequest('/unsubscribe', { token }), clock)).toMatchObject({ status: 200, view: { state: 'used' } });
    expect(await unsubscribedThatDay('blog')).toBe(before + 1);
  });

  it('a complete token unsubscribes from everything and cancels mail queued before it', async () => {
    const user = await reader();
    const queuedId = newId();
    await t.db.insert(emailNotifications).values({
      id: queuedId,
      userId: user.id,
      contentType: 'thought',
      contentId: 'thoughts/queued',
      contentTitle: 'Queued thought',
      contentUrl: 'https://blog.example/thoughts/queued',
      notificationType: 'new_content',
      status: 'pending',
      scheduledFor: new Date(),
    });
    const { token } = await createUnsubscribeToken(t.db, { userId: user.id, tokenType: 'complete' });
    expect(await showUnsubscribe(t.db, new URL(`${SITE}/unsubscribe?token=${token}`), {})).toMatchObject({ view: { state: 'confirm', scope: 'all' } });
    await handleUnsubscribe(t.db, formRequest('/unsubscribe', { token }), {});
    expect(await getUserById(t.db, user.id)).toMatchObject({ unsubscribeAll: true, emailStatus: 'unsubscribed' });
    const [queued] = await t.db.select().from(emailNotifications).where(eq(emailNotifications.id, queuedId));
    expect(queued!.status).toBe('cancelled');
  });

  it('shows clear pages for expired, forged and missing tokens, and changes nothing', async () => {
    const user = await reader();
    const { token } = await createUnsubscribeToken(t.db, { userId: user.id, tokenType: 'one_click', contentType: 'thought', ttlSeconds: 60 });
    const later = () => new Date(Date.now() + 120_000);
    expect(await showUnsubscribe(t.db, new URL(`${SITE}/unsubscribe?token=${token}`), { now: later })).toMatchObject({
      status: 410,
      view: { state: 'expired' },
    });
    expect(await handleUnsubscribe(t.db, formRequest('/unsubscribe', { token }), { now: later })).toMatchObject({ status: 410, view: { state: 'expired' } });
    expect(await showUnsubscribe(t.db, new URL(`${SITE}/unsubscribe?token=AAAAforgedAAAA`), {})).toMatchObject({ status: 404, view: { state: 'invalid' } });
    expect(await showUnsubscribe(t.db, new URL(`${SITE}/unsubscribe?token=%27%3B--`), {})).toMatchObject({ status: 404 });
    expect(await showUnsubscribe(t.db, new URL(`${SITE}/unsubscribe`), {})).toMatchObject({ status: 404 });
    expect(await handleUnsubscribe(t.db, formRequest('/unsubscribe', {}), {})).toMatchObject({ status: 404 });
    expect((await getUserById(t.db, user.id))!.emailThoughtUpdates).toBe(true);
  });

  it('POST refuses a preferences token (400) and changes nothing; a done page links to preferences with a fresh preferences token', async () => {
    const user = await reader();
    const { token } = await createUnsubscribeToken(t.db, { userId: user.id, tokenType: 'preference_change' });
    const refused = await handleUnsubscribe(t.db, formRequest('/unsubscribe', { token }), {});
    expect(refused).toMatchObject({ type: 'render', status: 400, view: { state: 'invalid', reason: 'This link is not an unsubscribe link.' } });
    expect(await getUserById(t.db, user.id)).toMatchObject({ unsubscribeAll: false, emailStatus: 'active', emailBlogUpdates: true });
    expect(await historyOf(user.id)).toHaveLength(0);

    const { token: complete } = await createUnsubscribeToken(t.db, { userId: user.id, tokenType: 'complete' });
    const done = await handleUnsubscribe(t.db, formRequest('/unsubscribe', { token: complete }), {});
    if (done.type !== 'render' || done.view.state !== 'done') throw new Error('expected the done page');
    const opened = await showPreferences(t.db, new URL(`${SITE}/preferences?token=${done.view.preferencesToken}`), null, {});
    expect(opened).toMatchObject({ status: 200, view: { state: 'form', email: user.email } });
  });

  it('sends a preferences link pasted into /unsubscribe on to /preferences', async () => {
    const user = await reader();
    const { token } = await createUnsubscribeToken(t.db, { userId: user.id, tokenType: 'preference_change' });
    const shown = await showUnsubscribe(t.db, new URL(`${SITE}/unsubscribe?token=${token}`), {});
    expect(shown.type === 'response' && shown.response.headers.get('location')).toBe(`/preferences?token=${token}`);
  });
});

describe('POST /api/unsubscribe/one-click (RFC 8058)', () => {
  it('works with no cookie and no Origin, answers 200 without a redirect, is idempotent, and records IP and user agent', async () => {
    const user = await reader();
    const { token, id } = await createUnsubscribeToken(t.db, { userId: user.id, tokenType: 'one_click', contentType: 'announcement', now: AT });
    const before = await unsubscribedThatDay('announcement');
    const first = await handleOneClick(t.db, oneClick(token, 'List-Unsubscribe=One-Click'), clock);
    expect(first.status).toBe(200);
    expect(first.headers.get('location')).toBeNull();
    expect((await getUserById(t.db, user.id))!.emailAnnouncements).toBe(false);
    const second = await handleOneClick(t.db, oneClick(token, 'List-Unsubscribe=One-Click'), clock);
    expect(second.status).toBe(200);
    const history = await historyOf(user.id);
    expect(history).toHaveLength(1);
    expect(history[0]).toMatchObject({ action: 'unsubscribed', ipAddress: '209.85.0.1', userAgent: 'Gmail-Unsubscriber' });
    expect(history[0]!.details).toMatchObject({ via: 'one_click', scope: 'announcement' });
    const [row] = await t.db.select().from(unsubscribeTokens).where(eq(unsubscribeTokens.id, id));
    expect(row).toMatchObject({ ipAddress: '209.85.0.1', userAgent: 'Gmail-Unsubscriber' });
    expect(row!.usedAt).not.toBeNull();
    expect(await unsubscribedThatDay('announcement')).toBe(before + 1);
  });

  it('accepts multipart/form-data too', async () => {
    const user = await reader();
    const { token } = await createUnsubscribeToken(t.db, { userId: user.id, tokenType: 'one_click', contentType: 'blog' });
    const form = new FormData();
    form.set('List-Unsubscribe', 'One-Click');
    const request = new Request(`${SITE}/api/unsubscribe/one-click?token=${token}`, { method: 'POST', body: form });
    expect((await handleOneClick(t.db, request, {})).status).toBe(200);
    expect((await getUserById(t.db, user.id))!.emailBlogUpdates).toBe(false);
  });

  it('answers a missing or wrong body, method or token with a 4xx and changes nothing', async () => {
    const user = await reader();
    const { token } = await createUnsubscribeToken(t.db, { userId: user.id, tokenType: 'one_click', contentType: 'blog' });
    const expired = await createUnsubscribeToken(t.db, { userId: user.id, tokenType: 'complete', ttlSeconds: 1, now: new Date(Date.now() - 10_000) });
    const prefs = await createUnsubscribeToken(t.db, { userId: user.id, tokenType: 'preference_change' });
    const cases: [Request, number][] = [
      [oneClick(token, null), 400],
      [oneClick(token, 'List-Unsubscribe=Yes'), 400],
      [oneClick(token, 'Unsubscribe=One-Click'), 400],
      [oneClick(token, 'List-Unsubscribe=One-Click', 'application/json'), 415],
      [oneClick(token, 'List-Unsubscribe=One-Click', 'text/plain'), 415],
      [oneClick(token, 'List-Unsubscribe=One-Click', null), 415],
      [oneClick(token, null, null, 'GET'), 405],
      [oneClick(null, 'List-Unsubscribe=One-Click'), 404],
      [oneClick('forged_token_value', 'List-Unsubscribe=One-Click'), 404],
      [oneClick(expired.token, 'List-Unsubscribe=One-Click'), 410],
      [oneClick(prefs.token, 'List-Unsubscribe=One-Click'), 400],
    ];
    for (const [request, status] of cases) {
      const response = await handleOneClick(t.db, request, {});
      expect(response.status, `${request.method} ${request.url} ${request.headers.get('content-type')}`).toBe(status);
    }
    expect(await getUserById(t.db, user.id)).toMatchObject({ emailBlogUpdates: true, unsubscribeAll: false, emailStatus: 'active' });
    expect(await historyOf(user.id)).toHaveLength(0);
  });

  it('counts once when the same link is clicked twice at the same moment', async () => {
    const user = await reader();
    const { token } = await createUnsubscribeToken(t.db, { userId: user.id, tokenType: 'complete', now: AT });
    const before = await unsubscribedThatDay('all');
    const [a, b] = await Promise.all([
      handleOneClick(t.db, oneClick(token, 'List-Unsubscribe=One-Click'), clock),
      handleOneClick(t.db, oneClick(token, 'List-Unsubscribe=One-Click'), clock),
    ]);
    expect([a.status, b.status]).toEqual([200, 200]);
    expect(await historyOf(user.id)).toHaveLength(1);
    expect(await unsubscribedThatDay('all')).toBe(before + 1);
  });
});

describe('preferences page', () => {
  it('opens with an emailed token, saves, writes history, and keeps the token for the next change', async () => {
    const user = await reader();
    const { token } = await createUnsubscribeToken(t.db, { userId: user.id, tokenType: 'preference_change' });
    const shown = await showPreferences(t.db, new URL(`${SITE}/preferences?token=${token}`), null, {});
    expect(shown).toMatchObject({ status: 200, view: { state: 'form', email: user.email, values: { contentTypes: ['blog', 'thought', 'announcement'] } } });

    const saved = await handlePreferencesForm(
      t.db,
      formRequest('/preferences', { token, contentTypes: ['blog', 'announcement'], frequency: 'weekly' }),
      null,
      {},
    );
    expect(saved.type === 'response' && saved.response.headers.get('location')).toBe(`/preferences?token=${token}&saved=1`);
    expect(await getUserById(t.db, user.id)).toMatchObject({ emailThoughtUpdates: false, emailBlogUpdates: true, emailFrequency: 'weekly' });
    const history = await historyOf(user.id);
    expect(history.map((h) => h.action)).toEqual(['preferences_updated']);
    expect(history[0]!.details).toMatchObject({ after: { contentTypes: ['blog', 'announcement'], frequency: 'weekly', unsubscribeAll: false } });

    const all = await handlePreferencesForm(
      t.db,
      formRequest('/preferences', { token, contentTypes: ['blog'], frequency: 'weekly', unsubscribeAll: 'on' }),
      null,
      {},
    );
    expect(all.type).toBe('response');
    expect(await getUserById(t.db, user.id)).toMatchObject({ unsubscribeAll: true, emailStatus: 'unsubscribed' });
    await handlePreferencesForm(t.db, formRequest('/preferences', { token, contentTypes: ['blog'], frequency: 'daily' }), null, {});
    expect(await getUserById(t.db, user.id)).toMatchObject({ unsubscribeAll: false, emailStatus: 'active', emailFrequency: 'daily' });
  });

  it('uses the session when there is no token, and asks to log in when there is neither', async () => {
    const user = await reader();
    expect(await showPreferences(t.db, new URL(`${SITE}/preferences`), user, {})).toMatchObject({ status: 200, view: { state: 'form', token: null } });
    expect(await showPreferences(t.db, new URL(`${SITE}/preferences`), null, {})).toMatchObject({ status: 401, view: { state: 'signed-out' } });
    const saved = await handlePreferencesForm(t.db, formRequest('/preferences', { contentTypes: 'thought', frequency: 'daily' }), user, {});
    expect(saved.type === 'response' && saved.response.headers.get('location')).toBe('/preferences?saved=1');
    expect(await handlePreferencesForm(t.db, formRequest('/preferences', { contentTypes: 'thought', frequency: 'daily' }), null, {})).toMatchObject({
      status: 401,
    });
  });

  it('opens only with a preferences token: an unsubscribe or one-click token is refused like an unknown one', async () => {
    const user = await reader();
    for (const tokenType of ['one_click', 'complete'] as const) {
      const { token } = await createUnsubscribeToken(t.db, { userId: user.id, tokenType });
      expect(await showPreferences(t.db, new URL(`${SITE}/preferences?token=${token}`), null, {}), tokenType).toMatchObject({
        status: 404,
        view: { state: 'invalid' },
      });
      const post = await handlePreferencesForm(t.db, formRequest('/preferences', { token, contentTypes: 'blog', frequency: 'weekly' }), null, {});
      expect(post, tokenType).toMatchObject({ status: 404 });
    }
    expect(await getUserById(t.db, user.id)).toMatchObject({ emailThoughtUpdates: true, emailFrequency: 'immediate' });
  });

  it('refuses expired and forged tokens, and re-renders bad input without writing', async () => {
    const user = await reader();
    const { token } = await createUnsubscribeToken(t.db, { userId: user.id, tokenType: 'preference_change', ttlSeconds: 60 });
    const later = () => new Date(Date.now() + 120_000);
    expect(await showPreferences(t.db, new URL(`${SITE}/preferences?token=${token}`), null, { now: later })).toMatchObject({
      status: 410,
      view: { state: 'expired' },
    });
    expect(await showPreferences(t.db, new URL(`${SITE}/preferences?token=nope`), user, {})).toMatchObject({ status: 404, view: { state: 'invalid' } });
    const bad = await handlePreferencesForm(t.db, formRequest('/preferences', { token, contentTypes: ['blog', 'spam'], frequency: 'yearly' }), null, {});
    expect(bad).toMatchObject({ status: 400, view: { state: 'form', errors: { contentTypes: expect.any(String), frequency: expect.any(String) } } });
    expect(await getUserById(t.db, user.id)).toMatchObject({ emailBlogUpdates: true, emailThoughtUpdates: true, emailFrequency: 'immediate' });
    expect(await historyOf(user.id)).toHaveLength(0);
  });
});
