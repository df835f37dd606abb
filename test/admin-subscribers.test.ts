/** The console's subscriber search, a reader's page and the suppress/unsubscribe actions, on real local D1. */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { getSubscriber, parseSubscriberFilters, searchSubscribers } from '../db/admin/subscribers';
import { CSRF_COOKIE, type AdminSettings } from '../integration/server/admin/gate';
import { handleAdminPost } from '../integration/server/admin/request';
import { subscriberAction } from '../integration/server/admin/subscribers';
import { timelineText } from '../integration/server/admin/words';
import { processNotifications } from '../integration/delivery/processor';
import { createDevCaptureTransport } from '../integration/delivery/providers/dev/transport';
import { createTestD1, type TestD1 } from './helpers/d1';
import { addContent, addReader, clearTables, rows, settableClock, testConfig } from './helpers/delivery';

let t: TestD1;
beforeAll(async () => {
  t = await createTestD1();
});
afterAll(async () => t?.dispose());
beforeEach(async () => clearTables(t.d1));

const ORIGIN = 'http://127.0.0.1:4321';
const CSRF = 'c'.repeat(43);
const settings: AdminSettings = { access: null, devBypass: true, mailTransport: 'dev' };

async function act(id: string, op: string, extra: Record<string, string> = { confirm: 'yes' }): Promise<Response> {
  const request = new Request(`${ORIGIN}/admin/subscribers/${id}/action`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded', origin: ORIGIN, cookie: `${CSRF_COOKIE}=${CSRF}` },
    body: new URLSearchParams({ csrf: CSRF, op, ...extra }),
  });
  return handleAdminPost(request, null, settings, (ctx) => subscriberAction({ db: t.db }, ctx, id));
}

async function seed() {
  await addReader(t.db, 'ann@alpha.example', { blog: true, frequency: 'daily' });
  await addReader(t.db, 'anna@beta.example', { blog: false, thought: true });
  await addReader(t.db, 'bob@alpha.example', { verified: false });
  await addReader(t.db, 'carl@gamma.example', { announcements: true, frequency: 'weekly' });
  await t.d1.prepare("UPDATE users SET email_status = 'bounced' WHERE email = 'carl@gamma.example'").run();
}

describe('search and filters', () => {
  it('matches any part of an address, and filters by status, content type and frequency', async () => {
    await seed();
    const emails = async (query: string) => (await searchSubscribers(t.db, parseSubscriberFilters(new URLSearchParams(query)))).rows.map((r) => r.email);
    expect(await emails('q=ann')).toEqual(['ann@alpha.example', 'anna@beta.example']);
    expect(await emails('q=ANN%40')).toEqual(['ann@alpha.example']);
    expect(await emails('q=%40alpha.example')).toEqual(['ann@alpha.example', 'bob@alpha.example']);
    expect(await emails('q=nna%40')).toEqual(['anna@beta.example']); // not a prefix
    expect(await emails('q=ob%40alpha')).toEqual(['bob@alpha.example']);
    expect(await emails('q=ma.exa')).toEqual(['carl@gamma.example']);
    expect(await emails('status=unconfirmed')).toEqual(['bob@alpha.example']);
    expect(await emails('status=bounced')).toEqual(['carl@gamma.example']);
    expect(await emails('status=active&type=blog')).toEqual(['ann@alpha.example']);
    expect(await emails('type=thought')).toEqual(['anna@beta.example']);
    expect(await emails('frequency=weekly')).toEqual(['carl@gamma.example']);
    // Unknown values are ignored, input never reaches the SQL text.
    expect(await emails("status=x';DROP TABLE users;--&type=nope&frequency=hourly")).toHaveLength(4);
    expect(await emails('q=%27%20OR%201%3D1--')).toEqual([]);
  });

  it('finds a part anywhere in an address among many readers, and counts them all', async () => {
    // How fast it is on 100,000 readers is npm run bench -- admin-overview's figure (bench/results/admin-overview.json).
    await t.d1
      .prepare(
        `WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 10000)
         INSERT INTO users (id, email, email_verified, email_status, created_at, updated_at)
         SELECT 'many' || i, 'reader' || printf('%06d', i) || '@list' || (i % 97) || '.example', 1, 'active', 1790000000, 1790000000 FROM n`,
      )
      .run();
    const found = (q: string) => searchSubscribers(t.db, parseSubscriberFilters(new URLSearchParams({ q })));
    const middle = await found('004242@');
    expect(middle.total).toBe(1);
    expect(middle.rows.map((r) => r.email)).toEqual(['reader004242@list71.example']);
    expect((await found('@list13.')).total).toBe(103); // i % 97 = 13 for 103 of 1..10,000
  });

  it('pages in address order with a total', async () => {
    await seed();
    const first = await searchSubscribers(t.db, {}, { limit: 3 });
    expect(first.total).toBe(4);
    expect(first.rows.map((r) => r.email)).toEqual(['ann@alpha.example', 'anna@beta.example', 'bob@alpha.example']);
    const second = await searchSubscribers(t.db, {}, { limit: 3, after: first.next! });
    expect(second.rows.map((r) => r.email)).toEqual(['carl@gamma.example']);
    expect(second.next).toBeNull();
  });
});

describe('actions', () => {
  it('suppress blocks the address, cancels its unsent mail and shows in the timeline with the actor', async () => {
    const reader = await addReader(t.db, 'reader@example.org');
    const clock = settableClock('2026-11-25T10:00:00Z');
    await addContent(t.db, { publishDate: '2026-11-25T09:00:00Z' });
    const deps = {
      db: t.db,
      transport: { name: 'down', send: async () => ({ ok: false as const, retryable: true, error: 'later' }) },
      config: testConfig(),
      clock: clock.clock,
    };
    await processNotifications(deps);

    expect((await act(reader.id, 'suppress', {})).status).toBe(400); // not without the ticked confirmation
    expect((await rows<{ email_status: string }>(t.d1, 'SELECT email_status FROM users WHERE id = ?1', reader.id))[0]!.email_status).toBe('active');
    const response = await act(reader.id, 'suppress');
    expect(response.status).toBe(303);
    const [user] = await rows<{ email_status: string }>(t.d1, 'SELECT email_status FROM users WHERE id = ?1', reader.id);
    expect(user!.email_status).toBe('blocked');
    expect(await rows(t.d1, "SELECT id FROM email_notifications WHERE status <> 'cancelled'")).toEqual([]);

    clock.advance(3600);
    expect(await processNotifications({ ...deps, transport: createDevCaptureTransport(t.db) })).toMatchObject({ sent: 0 });
    const page = await getSubscriber(t.db, reader.id);
    expect(page!.timeline.find((e) => e.source === 'admin')).toMatchObject({ action: 'subscriber_suppressed', actor: 'dev-bypass' });
    expect(page!.timeline.map((e) => e.action)).toEqual(expect.arrayContaining(['queued', 'retry_scheduled', 'cancelled']));
  });

  it('the timeline names the post of each email, says choices in words, and pages', async () => {
    const reader = await addReader(t.db, 'timeline@example.org'); // not the address an earlier test put on the suppression list;
    const clock = settableClock('2027-01-10T10:00:00Z');
    await addContent(t.db, { title: 'Spring notes', publishDate: '2027-01-10T09:00:00Z' });
    await processNotifications({ db: t.db, transport: createDevCaptureTransport(t.db), config: testConfig(), clock: clock.clock });
    const details = JSON.stringify({
      before: { contentTypes: ['blog'], frequency: 'immediate', unsubscribeAll: false },
      after: { contentTypes: ['blog', 'thought'], frequency: 'weekly', unsubscribeAll: false },
      via: 'form',
    });
    await t.d1
      .prepare("INSERT INTO email_notification_history (id, user_id, action, details, timestamp) VALUES ('p1', ?1, 'preferences_updated', ?2, ?3)")
      .bind(reader.id, details, 1_900_000_000)
      .run();

    const page = (await getSubscriber(t.db, reader.id))!;
    const lines = page.timeline.map(timelineText);
    expect(lines[0]).toBe('Changed choices: now blog posts and thoughts, in a weekly digest (was blog posts, right away)');
    expect(lines).toEqual(expect.arrayContaining(['“Spring notes” queued', '“Spring notes” sent']));
    expect(lines.join('\n')).not.toMatch(/[{}]|messageId|<.*@.*>/);
    expect(page.more).toBe(false);

    const first = (await getSubscriber(t.db, reader.id, 0, 2))!;
    const second = (await getSubscriber(t.db, reader.id, 1, 2))!;
    expect(first.more).toBe(true);
    expect(first.timeline).toHaveLength(2);
    expect([...first.timeline, ...second.timeline].map((e) => e.action)).toEqual(page.timeline.map((e) => e.action).slice(0, 2 + second.timeline.length));
  });

  it('unsubscribe turns everything off with an unsubscribed history row naming the actor', async () => {
    const reader = await addReader(t.db, 'reader@example.org', { blog: true, thought: true });
    await act(reader.id, 'unsubscribe');
    const [user] = await rows<Record<string, number | string>>(t.d1, 'SELECT * FROM users WHERE id = ?1', reader.id);
    expect(user).toMatchObject({ email_status: 'unsubscribed', unsubscribe_all: 1, email_blog_updates: 0, email_thought_updates: 0 });
    const [history] = await rows<{ details: string }>(
      t.d1,
      "SELECT details FROM email_notification_history WHERE action = 'unsubscribed' AND user_id = ?1",
      reader.id,
    );
    expect(JSON.parse(history!.details)).toEqual({ source: 'admin', actor: 'dev-bypass' });
  });

  it('answers an unknown reader with 404 and an unknown action with 400', async () => {
    expect((await act('nobody', 'suppress')).status).toBe(404);
    expect((await act('nobody', 'erase-everything')).status).toBe(400);
  });
});
