// DELIVERY_MODE=queue inside workerd: the cron run fans out and dispatches to a real Miniflare
// Queue, the product's `queue` handler consumes it on a real D1, dead letters go to the DLQ consumer.
// The "provider" is the fixture's loopback transport, which counts accepted emails per recipient.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createContentItem } from '../db/content';
import { enqueueNotificationsForContent } from '../db/notifications';
import { DEAD_LETTER_CODE } from '../db/queue-delivery';
import { DEAD_LETTER_REASON, MESSAGE_CONCURRENCY } from '../integration/delivery/queue-consumer';
import { IDS_PER_MESSAGE, type DispatchSummary } from '../integration/delivery/queue-dispatch';
import { seedReaders, startQueueWorker, waitFor, type QueueWorker } from './helpers/queue-worker';

type Stats = { accepted: number; recipients: number; duplicates: number; maxPerMinute: number; invocations: { kind: string; statements: number }[] };

let w: QueueWorker;
let seq = 0;

beforeAll(async () => {
  w = await startQueueWorker({ settings: { LEASE_SECONDS: '2' }, maxBatchSize: 10, maxRetries: 4 });
}, 60_000);
afterAll(async () => w?.dispose());

/** A fresh audience: earlier readers opt out, `readers` new ones opt in; then a published post. */
async function newPost(readers: number) {
  seq += 1;
  await w.d1.prepare('UPDATE users SET unsubscribe_all = 1').run();
  await seedReaders(w.d1, readers, `t${seq}-`);
  const item = await createContentItem(w.db, {
    slug: `blog/queue-${seq}`,
    contentType: 'blog',
    title: `Queue post ${seq}`,
    contentUrl: `https://blog.example.com/blog/queue-${seq}/`,
    publishDate: new Date(Date.now() - 60_000),
    filePath: `src/content/blog/queue-${seq}.md`,
  });
  await w.call('/reset', {});
  return item;
}

const statusCounts = async (slug: string) =>
  Object.fromEntries(
    (await w.d1.prepare('SELECT status, count(*) AS n FROM email_notifications WHERE content_id = ?1 GROUP BY status').bind(slug).all<{ status: string; n: number }>())
      .results.map((r) => [r.status, r.n]),
  ) as Record<string, number>;

const allSent = (slug: string, n: number) => async () => ((await statusCounts(slug)).sent === n ? true : undefined);

describe('delivery through Cloudflare Queues (Miniflare, real D1)', () => {
  it('a post to 2,000 readers is dispatched in messages of 50 ids and every reader gets exactly one email', async () => {
    const item = await newPost(2_000);
    const run = await w.call<DispatchSummary & { statements: number }>('/run', {});
    expect(run).toMatchObject({ fannedOut: 2_000, dispatched: 2_000, messages: 2_000 / IDS_PER_MESSAGE, sendCalls: 1 });
    await waitFor(allSent(item.slug, 2_000), 90_000);
    const stats = await w.call<Stats>('/stats');
    expect(stats).toMatchObject({ accepted: 2_000, recipients: 2_000, duplicates: 0 });
    const sentHistory = await w.d1
      .prepare("SELECT count(*) AS n FROM email_notification_history h JOIN email_notifications n ON n.id = h.notification_id WHERE n.content_id = ?1 AND h.action = 'sent'")
      .bind(item.slug)
      .first<{ n: number }>();
    expect(sentHistory!.n).toBe(2_000);
    // Every invocation far inside D1's 1,000 queries.
    expect(Math.max(...stats.invocations.map((i) => i.statements))).toBeLessThan(300);
  }, 120_000);

  it('a row dispatched twice (a second run, the same ids enqueued again, a message of sent rows) sends once', async () => {
    const item = await newPost(300);
    const first = await w.call<DispatchSummary>('/run', {});
    const second = await w.call<DispatchSummary>('/run', {}); // before the consumers caught up: nothing left to dispatch
    expect(first.dispatched).toBe(300);
    expect(second.dispatched).toBe(0);
    const ids = (await w.d1.prepare('SELECT id FROM email_notifications WHERE content_id = ?1 ORDER BY id').bind(item.slug).all<{ id: string }>()).results.map((r) => r.id);
    const messages = Array.from({ length: Math.ceil(ids.length / IDS_PER_MESSAGE) }, (_, i) => ({ ids: ids.slice(i * IDS_PER_MESSAGE, (i + 1) * IDS_PER_MESSAGE) }));
    await w.call('/enqueue', { messages }); // the same rows again, while the first messages are being consumed
    await waitFor(allSent(item.slug, 300), 60_000);
    await new Promise((r) => setTimeout(r, 500)); // the duplicate messages run out
    const consumed = async () => (await w.call<Stats>('/stats')).invocations.filter((i) => i.kind.startsWith('queue:')).length;
    const before = await consumed();
    await w.call('/enqueue', { messages: messages.slice(0, 2) }); // rows all sent already
    await waitFor(async () => ((await consumed()) > before ? true : undefined), 30_000);
    expect(await w.call<Stats>('/stats')).toMatchObject({ accepted: 300, recipients: 300, duplicates: 0 });
  }, 120_000);

  it('a batch delivered again after its outcomes were recorded (crash before the ack) sends nothing twice', async () => {
    const item = await newPost(400);
    await w.call('/faults', { throwAfterRecord: 3 });
    await w.call('/run', {});
    await waitFor(allSent(item.slug, 400), 90_000);
    await new Promise((r) => setTimeout(r, 1_500)); // let the redelivered batches run out
    const stats = await w.call<Stats>('/stats');
    expect(stats).toMatchObject({ accepted: 400, recipients: 400, duplicates: 0 });
    expect(stats.invocations.filter((i) => i.kind.startsWith('queue:')).length).toBeGreaterThanOrEqual(400 / IDS_PER_MESSAGE / 10 + 3);
  }, 120_000);

  it('a consumer that dies mid-send re-sends at most what its invocation had in flight (at least once), recording each row sent once', async () => {
    const item = await newPost(400);
    await w.call('/faults', { faults: [{ atSend: 10, fault: 'crash-before' }, { atSend: 200, fault: 'crash-after' }] });
    await w.call('/run', {});
    await waitFor(allSent(item.slug, 400), 90_000);
    const stats = await w.call<Stats>('/stats');
    expect(stats.recipients).toBe(400);
    // The documented case: what the dying invocation's claims had already handed to the provider goes again (same Message-ID).
    expect(stats.duplicates).toBeLessThanOrEqual(2 * MESSAGE_CONCURRENCY * IDS_PER_MESSAGE);
    expect(stats.accepted).toBe(400 + stats.duplicates);
    const sentHistory = await w.d1
      .prepare("SELECT count(*) AS n FROM email_notification_history h JOIN email_notifications n ON n.id = h.notification_id WHERE n.content_id = ?1 AND h.action = 'sent'")
      .bind(item.slug)
      .first<{ n: number }>();
    expect(sentHistory!.n).toBe(400);
  }, 120_000);

  it('the per-minute rate and the daily cap hold across six concurrent consumers; the rest is retried when the window reopens', async () => {
    const item = await newPost(300);
    await enqueueNotificationsForContent(w.db, item); // rows without dispatch: the consumers below are the only senders
    const ids = (await w.d1.prepare('SELECT id FROM email_notifications WHERE content_id = ?1 ORDER BY id').bind(item.slug).all<{ id: string }>()).results.map((r) => r.id);
    const batches = Array.from({ length: 6 }, (_, i) => [{ ids: ids.slice(i * 50, (i + 1) * 50) }]);

    // A fresh allowance: the reservation counts what was already sent (this minute's history, today's statistics) as a floor.
    const freshDay = () =>
      w.d1.batch([w.d1.prepare('DELETE FROM send_allowance'), w.d1.prepare("DELETE FROM email_notification_history WHERE action = 'sent'"), w.d1.prepare('DELETE FROM email_statistics')]);
    await freshDay();
    const perMinute = await w.call<{ outcomes: string[][] }>('/consume', { batches, settings: { RATE_PER_MINUTE: '70', DAILY_CAP: '0' } });
    let stats = await w.call<Stats>('/stats');
    expect(stats.maxPerMinute).toBeGreaterThan(0);
    expect(stats.maxPerMinute).toBeLessThanOrEqual(70); // what the provider saw in any one minute
    expect(stats.accepted).toBeLessThanOrEqual(140); // at most two minutes' worth, even across a minute boundary
    expect(stats.duplicates).toBe(0);
    const retries = perMinute.outcomes.flat().filter((o) => o.startsWith('retry:'));
    expect(retries.length).toBeGreaterThanOrEqual(4); // 300 wanted, at most 2 × 70 granted even across a minute boundary
    for (const r of retries) expect(Number(r.slice(6))).toBeGreaterThanOrEqual(1), expect(Number(r.slice(6))).toBeLessThanOrEqual(60);

    await freshDay();
    await w.call('/reset', {});
    const daily = await w.call<{ outcomes: string[][] }>('/consume', { batches, settings: { RATE_PER_MINUTE: '0', DAILY_CAP: '40' } });
    stats = await w.call<Stats>('/stats');
    expect(stats.accepted).toBe(40);
    const dayRetries = daily.outcomes.flat().filter((o) => o.startsWith('retry:')).map((o) => Number(o.slice(6)));
    const untilMidnight = 86_400 - (Math.floor(Date.now() / 1000) % 86_400);
    for (const d of dayRetries) expect(d).toBeGreaterThan(Math.min(untilMidnight, 43_200) - 5); // the next UTC day (Queues cap delays at 12 h)
    await w.d1.prepare("UPDATE email_notifications SET status = 'cancelled' WHERE status = 'pending'").run(); // what no window let out
  }, 60_000);

  it('a reader\'s due digest rows travel in one message and go out as one digest email', async () => {
    seq += 1;
    await w.d1.prepare('UPDATE users SET unsubscribe_all = 1').run();
    await seedReaders(w.d1, 30, `d${seq}-`);
    await w.d1.prepare("UPDATE users SET email_frequency = 'daily' WHERE id LIKE ?1").bind(`d${seq}-%`).run();
    const digestAt = { daily: new Date(Date.now() - 1_000), weekly: new Date(Date.now() - 1_000) };
    for (const n of [1, 2]) {
      const item = await createContentItem(w.db, {
        slug: `blog/digest-${seq}-${n}`, contentType: 'blog', title: `Digest item ${n}`, contentUrl: `https://blog.example.com/blog/digest-${seq}-${n}/`,
        publishDate: new Date(Date.now() - 120_000), filePath: `src/content/blog/digest-${seq}-${n}.md`,
      });
      await enqueueNotificationsForContent(w.db, item, { digestAt });
      await w.d1.prepare('UPDATE content_items SET notification_sent = 1 WHERE id = ?1').bind(item.id).run();
    }
    await w.call('/reset', {});
    const run = await w.call<DispatchSummary>('/run', {});
    expect(run.dispatched).toBe(60);
    await waitFor(async () => ((await statusCounts(`blog/digest-${seq}-2`)).sent === 30 && (await statusCounts(`blog/digest-${seq}-1`)).sent === 30 ? true : undefined), 30_000);
    expect(await w.call<Stats>('/stats')).toMatchObject({ accepted: 30, recipients: 30, duplicates: 0 });
  }, 60_000);

  it('a message that exhausts its retries lands in the dead-letter queue and its rows become failed with a visible reason', async () => {
    const item = await newPost(60);
    await w.call('/faults', { failClaims: 1_000 });
    await w.call('/run', {});
    await waitFor(async () => ((await statusCounts(item.slug)).failed === 60 ? true : undefined), 60_000);
    await w.call('/faults', {});
    const rows = await w.d1.prepare('SELECT DISTINCT error_message AS e, next_retry_at AS next FROM email_notifications WHERE content_id = ?1').bind(item.slug).all<{ e: string; next: number | null }>();
    expect(rows.results).toEqual([{ e: DEAD_LETTER_REASON, next: null }]);
    const history = await w.d1
      .prepare("SELECT count(*) AS n FROM email_notification_history h JOIN email_notifications n ON n.id = h.notification_id WHERE n.content_id = ?1 AND h.action = 'failed' AND h.error_code = ?2")
      .bind(item.slug, DEAD_LETTER_CODE)
      .first<{ n: number }>();
    expect(history!.n).toBe(60);
    expect((await w.call<Stats>('/stats')).accepted).toBe(0);
  }, 90_000);
});
