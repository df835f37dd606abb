// DELIVERY_MODE=queue inside workerd: the cron run fans out and dispatches to a real Miniflare
// Queue, the product's `queue` handler consumes it on a real D1, dead letters go to the DLQ consumer.
// The "provider" is the fixture's loopback transport, which counts accepted emails per recipient.
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createContentItem } from '../db/content/content';
import { enqueueNotificationsForContent } from '../db/delivery/notifications';
import { DEAD_LETTER_CODE } from '../db/delivery/queue-delivery';
import { LEASE_TAKEOVER_NOTE } from '../db/delivery/claims';
import { DEAD_LETTER_REASON, MESSAGE_CONCURRENCY } from '../integration/delivery/queue-consumer';
import { deliveryMessage, DISPATCH_HORIZON_MINUTES, IDS_PER_MESSAGE, type DispatchSummary } from '../integration/delivery/queue-dispatch';
import { seedReaders, startQueueWorker, waitFor, type QueueWorker } from './helpers/queue-worker';

type Stats = {
  accepted: number;
  recipients: number;
  duplicates: number;
  duplicateRecipients: string[];
  maxPerMinute: number;
  perMinute: number[];
  invocations: { kind: string; statements: number }[];
  queue: { outstanding: number; parked: number; queued: number; retries: number; deadLettered: number; waited: number };
  logs: { level: string; line: string }[];
};

let w: QueueWorker;
let seq = 0;

beforeAll(async () => {
  w = await startQueueWorker({ settings: { LEASE_SECONDS: '2' }, maxBatchSize: 10, maxRetries: 4 });
}, 60_000);
afterAll(async () => w?.dispose());
afterEach(async () => {
  await w?.call('/configure', {}); // back to the real clock and the worker's own vars
});

/** A fresh audience: earlier readers opt out, `readers` new ones opt in; then a post published a minute before `now` (the test's clock). */
async function newPost(readers: number, worker = w, now = Date.now()) {
  seq += 1;
  await worker.d1.prepare('UPDATE users SET unsubscribe_all = 1').run();
  await seedReaders(worker.d1, readers, `t${seq}-`);
  const item = await createContentItem(worker.db, {
    slug: `blog/queue-${seq}`,
    contentType: 'blog',
    title: `Queue post ${seq}`,
    contentUrl: `https://blog.example.com/blog/queue-${seq}/`,
    publishDate: new Date(now - 60_000),
    filePath: `src/content/blog/queue-${seq}.md`,
  });
  await worker.call('/reset', {});
  return item;
}

/** Every message put in the delivery queue was acked (consumed, or moved to wait for the clock): nothing is still redelivering. */
const queueSettled =
  (worker = w) =>
  async () =>
    (await worker.call<Stats>('/stats')).queue.outstanding === 0 ? true : undefined;

const statusCounts = async (slug: string, worker = w) =>
  Object.fromEntries(
    (
      await worker.d1
        .prepare('SELECT status, count(*) AS n FROM email_notifications WHERE content_id = ?1 GROUP BY status')
        .bind(slug)
        .all<{ status: string; n: number }>()
    ).results.map((r) => [r.status, r.n]),
  ) as Record<string, number>;

const allSent =
  (slug: string, n: number, worker = w) =>
  async () =>
    (await statusCounts(slug, worker)).sent === n ? true : undefined;

describe('delivery through Cloudflare Queues (Miniflare, real D1)', () => {
  it('a post to 2,000 readers is dispatched in messages of 50 ids and every reader gets exactly one email', async () => {
    const item = await newPost(2_000);
    const run = await w.call<DispatchSummary & { statements: number }>('/run', {});
    expect(run).toMatchObject({ fannedOut: 2_000, dispatched: 2_000, messages: 2_000 / IDS_PER_MESSAGE, sendCalls: 1 });
    await waitFor(allSent(item.slug, 2_000), 90_000);
    const stats = await w.call<Stats>('/stats');
    expect(stats).toMatchObject({ accepted: 2_000, recipients: 2_000, duplicates: 0 });
    const sentHistory = await w.d1
      .prepare(
        "SELECT count(*) AS n FROM email_notification_history h JOIN email_notifications n ON n.id = h.notification_id WHERE n.content_id = ?1 AND h.action = 'sent'",
      )
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
    const ids = (await w.d1.prepare('SELECT id FROM email_notifications WHERE content_id = ?1 ORDER BY id').bind(item.slug).all<{ id: string }>()).results.map(
      (r) => r.id,
    );
    // The same rows again, while the first messages are being consumed (half in the { ids } shape enqueued before messages had a kind).
    const messages = Array.from({ length: Math.ceil(ids.length / IDS_PER_MESSAGE) }, (_, i) => ids.slice(i * IDS_PER_MESSAGE, (i + 1) * IDS_PER_MESSAGE)).map(
      (chunk, i) => (i % 2 ? deliveryMessage(chunk) : { ids: chunk }),
    );
    await w.call('/enqueue', { messages });
    await waitFor(allSent(item.slug, 300), 60_000);
    await waitFor(queueSettled(), 30_000); // every duplicate message consumed
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
    await waitFor(queueSettled(), 30_000); // the redelivered batches consumed
    const stats = await w.call<Stats>('/stats');
    expect(stats).toMatchObject({ accepted: 400, recipients: 400, duplicates: 0 });
    expect(stats.invocations.filter((i) => i.kind.startsWith('queue:')).length).toBeGreaterThanOrEqual(400 / IDS_PER_MESSAGE / 10 + 3);
  }, 120_000);

  it('a consumer that dies mid-send re-sends at most what its invocation had in flight (at least once), recording each row sent once', async () => {
    const item = await newPost(400);
    await w.call('/faults', {
      faults: [
        { atSend: 10, fault: 'crash-before' },
        { atSend: 200, fault: 'crash-after' },
      ],
    });
    await w.call('/run', {});
    await waitFor(allSent(item.slug, 400), 90_000);
    const stats = await w.call<Stats>('/stats');
    expect(stats.recipients).toBe(400);
    // The documented case: what the dying invocation's claims had already handed to the provider goes again (same Message-ID).
    expect(stats.duplicates).toBeLessThanOrEqual(2 * MESSAGE_CONCURRENCY * IDS_PER_MESSAGE);
    expect(stats.accepted).toBe(400 + stats.duplicates);
    const sent = (
      await w.d1
        .prepare(
          `SELECT u.email, h.details->>'resent' AS resent FROM email_notification_history h JOIN email_notifications n ON n.id = h.notification_id
           JOIN users u ON u.id = n.user_id WHERE n.content_id = ?1 AND h.action = 'sent'`,
        )
        .bind(item.slug)
        .all<{ email: string; resent: number | null }>()
    ).results;
    expect(sent).toHaveLength(400); // one `sent` per row ...
    // ... and every second copy the provider got is on record: its row's `sent` says it was a re-send after an expired claim.
    const resent = new Set(sent.filter((r) => r.resent === 1).map((r) => r.email));
    expect(stats.duplicates).toBeGreaterThan(0);
    expect(stats.duplicateRecipients.filter((to) => !resent.has(to))).toEqual([]);
    // The flag marks takeovers only (crash-before rows too: nobody can tell whether the provider got them), never a first claim.
    expect(resent.size).toBeLessThanOrEqual(2 * MESSAGE_CONCURRENCY * IDS_PER_MESSAGE);
    const notes = await w.d1
      .prepare('SELECT count(*) AS n FROM email_notifications WHERE content_id = ?1 AND error_message = ?2')
      .bind(item.slug, LEASE_TAKEOVER_NOTE)
      .first<{ n: number }>();
    expect(notes!.n).toBe(0); // the takeover note lives only while the row is being sent again
  }, 120_000);

  it('the per-minute rate and the daily cap hold across six concurrent consumers; the rest waits for the window without spending an attempt', async () => {
    const at = Date.UTC(2026, 10, 2, 10, 0, 30); // the test's one clock: half a minute in, 13.5 h before the next UTC day
    const item = await newPost(300, w, at);
    await enqueueNotificationsForContent(w.db, item); // rows without dispatch: the consumers below are the only senders
    const ids = (await w.d1.prepare('SELECT id FROM email_notifications WHERE content_id = ?1 ORDER BY id').bind(item.slug).all<{ id: string }>()).results.map(
      (r) => r.id,
    );
    const batches = Array.from({ length: 6 }, (_, i) => [deliveryMessage(ids.slice(i * 50, (i + 1) * 50))]);
    await w.call('/configure', { now: at });

    // A fresh allowance: the reservation counts what was already sent (this minute's history, today's statistics) as a floor.
    const freshDay = () =>
      w.d1.batch([
        w.d1.prepare('DELETE FROM send_allowance'),
        w.d1.prepare("DELETE FROM email_notification_history WHERE action = 'sent'"),
        w.d1.prepare('DELETE FROM email_statistics'),
      ]);
    await freshDay();
    const perMinute = await w.call<{ outcomes: string[][] }>('/consume', { batches, settings: { RATE_PER_MINUTE: '70', DAILY_CAP: '0' } });
    let stats = await w.call<Stats>('/stats');
    expect(stats).toMatchObject({ accepted: 70, maxPerMinute: 70, duplicates: 0 }); // one minute: exactly its 70
    let outcomes = perMinute.outcomes.flat();
    expect(outcomes.filter((o) => o.startsWith('retry:'))).toEqual([]); // waiting spends no attempt
    // 70 of 300: one message whole, one in part, four with nothing: five wait for the next minute, 30 s away, and are acked.
    expect(outcomes.filter((o) => o.startsWith('wait:'))).toEqual(Array(5).fill('wait:30'));
    expect(outcomes.filter((o) => o === 'ack')).toHaveLength(6);

    // The daily cap, on a second post's 300 fresh rows (what the first left unsent is cancelled: nothing else competes).
    await w.d1.prepare("UPDATE email_notifications SET status = 'cancelled' WHERE status = 'pending'").run();
    const second = await newPost(300, w, at);
    await enqueueNotificationsForContent(w.db, second);
    const secondIds = (
      await w.d1.prepare('SELECT id FROM email_notifications WHERE content_id = ?1 ORDER BY id').bind(second.slug).all<{ id: string }>()
    ).results.map((r) => r.id);
    const secondBatches = Array.from({ length: 6 }, (_, i) => [deliveryMessage(secondIds.slice(i * 50, (i + 1) * 50))]);
    await freshDay();
    const daily = await w.call<{ outcomes: string[][] }>('/consume', { batches: secondBatches, settings: { RATE_PER_MINUTE: '0', DAILY_CAP: '40' } });
    stats = await w.call<Stats>('/stats');
    expect(stats.accepted).toBe(40);
    outcomes = daily.outcomes.flat();
    expect(outcomes.filter((o) => o.startsWith('retry:'))).toEqual([]);
    // 40 of 300: no message is served whole, so all six wait for the next UTC day, capped at Queues' 12 hours.
    expect(outcomes.filter((o) => o.startsWith('wait:'))).toEqual(Array(6).fill('wait:43200'));
    await w.d1.prepare("UPDATE email_notifications SET status = 'cancelled' WHERE status = 'pending'").run(); // what no window let out
  }, 60_000);

  it("a reader's due digest rows travel in one message and go out as one digest email", async () => {
    seq += 1;
    await w.d1.prepare('UPDATE users SET unsubscribe_all = 1').run();
    await seedReaders(w.d1, 30, `d${seq}-`);
    await w.d1.prepare("UPDATE users SET email_frequency = 'daily' WHERE id LIKE ?1").bind(`d${seq}-%`).run();
    const digestAt = { daily: new Date(Date.now() - 1_000), weekly: new Date(Date.now() - 1_000) };
    for (const n of [1, 2]) {
      const item = await createContentItem(w.db, {
        slug: `blog/digest-${seq}-${n}`,
        contentType: 'blog',
        title: `Digest item ${n}`,
        contentUrl: `https://blog.example.com/blog/digest-${seq}-${n}/`,
        publishDate: new Date(Date.now() - 120_000),
        filePath: `src/content/blog/digest-${seq}-${n}.md`,
      });
      await enqueueNotificationsForContent(w.db, item, { digestAt });
      await w.d1.prepare('UPDATE content_items SET notification_sent = 1 WHERE id = ?1').bind(item.id).run();
    }
    await w.call('/reset', {});
    const run = await w.call<DispatchSummary>('/run', {});
    expect(run.dispatched).toBe(60);
    await waitFor(
      async () => ((await statusCounts(`blog/digest-${seq}-2`)).sent === 30 && (await statusCounts(`blog/digest-${seq}-1`)).sent === 30 ? true : undefined),
      30_000,
    );
    expect(await w.call<Stats>('/stats')).toMatchObject({ accepted: 30, recipients: 30, duplicates: 0 });
  }, 60_000);

  it('a message that exhausts its retries lands in the dead-letter queue and its rows become failed with a visible reason', async () => {
    const item = await newPost(60);
    await w.call('/faults', { failClaims: 1_000 });
    await w.call('/run', {});
    await waitFor(async () => ((await statusCounts(item.slug)).failed === 60 ? true : undefined), 60_000);
    await w.call('/faults', {});
    const rows = await w.d1
      .prepare('SELECT DISTINCT error_message AS e, next_retry_at AS next FROM email_notifications WHERE content_id = ?1')
      .bind(item.slug)
      .all<{ e: string; next: number | null }>();
    expect(rows.results).toEqual([{ e: DEAD_LETTER_REASON, next: null }]);
    const history = await w.d1
      .prepare(
        "SELECT count(*) AS n FROM email_notification_history h JOIN email_notifications n ON n.id = h.notification_id WHERE n.content_id = ?1 AND h.action = 'failed' AND h.error_code = ?2",
      )
      .bind(item.slug, DEAD_LETTER_CODE)
      .first<{ n: number }>();
    expect(history!.n).toBe(60);
    expect((await w.call<Stats>('/stats')).accepted).toBe(0);
  }, 90_000);
});

describe('a backlog longer than the horizon (one business clock, cron every minute)', () => {
  const RATE = 6; // emails a minute: an hour of it is 360 readers, and the test stays fast
  const T0 = Date.UTC(2026, 10, 2, 9, 0, 0); // the test's one clock
  let b: QueueWorker;
  beforeAll(async () => {
    // max_retries 2: a message that spent an attempt per spent window (the old behaviour) would dead-letter within 3 minutes.
    b = await startQueueWorker({ settings: { RATE_PER_MINUTE: String(RATE), DAILY_CAP: '0' }, maxBatchSize: 10, maxRetries: 2 });
  }, 60_000);
  afterAll(async () => b?.dispose());

  it('an hour of the rate drains in about an hour: every reader mailed once, nothing dead-lettered, no attempt spent on waiting', async () => {
    const readers = RATE * 60;
    const item = await newPost(readers, b, T0);
    await b.call('/configure', { now: T0 });
    const dispatched: number[] = [];
    let minute = 0;
    for (; minute < 70; minute += 1) {
      await b.call('/clock', { now: T0 + minute * 60_000 + 1_000 }); // a second into the minute: what waited for it goes back in
      dispatched.push((await b.call<DispatchSummary>('/run', {})).dispatched); // the Cron Trigger
      await waitFor(
        async () => {
          const { queue } = await b.call<Stats>('/stats');
          expect(queue.retries).toBe(0); // waiting for a window never spends an attempt (nor waits on the queue's real-time retry delay)
          return queue.outstanding === 0 ? true : undefined;
        },
        30_000,
        20,
      );
      const inFlight = await b.d1
        .prepare("SELECT count(*) AS n FROM email_notifications WHERE status IN ('pending', 'failed') AND lease_expires_at > ?1")
        .bind(Math.floor((T0 + minute * 60_000 + 1_000) / 1000))
        .first<{ n: number }>();
      expect(inFlight!.n).toBeLessThanOrEqual(RATE * DISPATCH_HORIZON_MINUTES); // the queue holds the horizon, not the backlog
      if ((await statusCounts(item.slug, b)).sent === readers) break;
    }
    const stats = await b.call<Stats>('/stats');
    expect(stats).toMatchObject({ accepted: readers, recipients: readers, duplicates: 0 });
    expect(stats.queue).toMatchObject({ deadLettered: 0, retries: 0, parked: 0 });
    expect(stats.queue.waited).toBeGreaterThan(0); // messages did meet spent windows
    expect(Math.max(...stats.perMinute)).toBe(RATE);
    expect(minute).toBe(59); // the 360th email goes out in the 60th minute: the rate's floor, no minute lost
    expect(dispatched[0]).toBe(RATE * DISPATCH_HORIZON_MINUTES); // the first run fills the horizon ...
    expect(dispatched.reduce((a, n) => a + n, 0)).toBe(readers); // ... later runs top it up, and no row is enqueued twice
    expect(await statusCounts(item.slug, b)).toEqual({ sent: readers });
    expect(stats.logs.filter((l) => l.level !== 'log')).toEqual([]);
  }, 180_000);
});

describe('queues named otherwise, without DELIVERY_QUEUE_NAME / DELIVERY_DLQ_NAME', () => {
  let r: QueueWorker;
  beforeAll(async () => {
    r = await startQueueWorker({ queue: 'blog-mail', dlq: 'blog-mail-dead', maxBatchSize: 10, maxRetries: 1 });
  }, 60_000);
  afterAll(async () => r?.dispose());

  it('delivery messages are told by their shape: every reader is mailed, with a warning that names the variables', async () => {
    const item = await newPost(200, r);
    const run = await r.call<DispatchSummary>('/run', {});
    expect(run.dispatched).toBe(200);
    await waitFor(allSent(item.slug, 200, r), 60_000);
    await waitFor(queueSettled(r), 30_000);
    const stats = await r.call<Stats>('/stats');
    expect(stats).toMatchObject({ accepted: 200, recipients: 200, duplicates: 0 });
    const warnings = stats.logs.filter((l) => l.level === 'warn').map((l) => JSON.parse(l.line) as { event: string; queue: string; hint: string });
    expect(warnings.length).toBeGreaterThan(0);
    expect(warnings[0]).toMatchObject({ event: 'queue_name_unconfigured', queue: 'blog-mail' });
    expect(warnings[0]!.hint).toMatch(/DELIVERY_QUEUE_NAME.*DELIVERY_DLQ_NAME/);
    expect(stats.logs.filter((l) => l.level === 'error')).toEqual([]);
  }, 90_000);

  it('a message that fits no handler is refused loudly (an error naming what arrived, retried), never acked as nothing', async () => {
    await r.call('/reset', {});
    await r.call('/enqueue', { messages: [{ hello: 'world', to: 'someone@readers.test' }] });
    await waitFor(async () => ((await r.call<Stats>('/stats')).logs.some((l) => l.level === 'error') ? true : undefined), 30_000);
    const stats = await r.call<Stats>('/stats');
    const refused = JSON.parse(stats.logs.find((l) => l.level === 'error')!.line) as { event: string; queue: string; arrived: string };
    expect(refused).toMatchObject({ event: 'queue_message_refused', queue: 'blog-mail', arrived: 'an object with keys [hello, to]' });
    expect(stats.logs.map((l) => l.line).join('\n')).not.toContain('someone@readers.test'); // named by its shape, not echoed
    expect(stats.queue.retries).toBeGreaterThan(0);
    expect(stats.accepted).toBe(0);
  }, 60_000);
});
