/**
 * Delivery benchmark (issue 4), on local D1:
 * 1. Drain 10,000 queued notifications through the whole pipeline (claim, eligibility,
 *    tokens, render, MIME, send, record) to the loopback transport with no rate limit:
 *    emails per second and D1 round trips per batch, counted by wrapping the D1 binding
 *    (every batch(), exec() and statement run/all/first/raw is one round trip).
 * 2. The claim query's time with 5,000 and with 50,000 notifications queued (median of
 *    CLAIM_RUNS claims of 50; the claimed rows are put back between runs), and its plan.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createDb } from '../db/client';
import { createContentItem } from '../db/content';
import { claimDueNotifications } from '../db/delivery';
import { enqueueNotificationsForContent } from '../db/notifications';
import { loadDeliveryConfig } from '../integration/delivery/config';
import { processNotifications } from '../integration/delivery/processor';
import { createLoopbackTransport } from '../test/helpers/fault-injection';
import { createTestD1, type TestD1 } from '../test/helpers/d1';

const DRAIN_ROWS = 10_000;
const DRAIN_BATCH_SIZES = [50, 100];
const CLAIM_SIZES = [5_000, 50_000];
const CLAIM_LIMIT = 50;
const CLAIM_RUNS = 15;
const RESULTS_FILE = join(import.meta.dirname, 'results', 'delivery.json');
const NOW = new Date('2026-11-25T10:00:00Z');

const SEED_USERS_SQL = `
WITH RECURSIVE seq(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM seq WHERE n < ?1)
INSERT INTO users (id, email, email_blog_updates, email_verified, email_status, email_frequency, unsubscribe_all)
SELECT substr(lower(hex(randomblob(11))), 1, 21), 'reader' || n || '@bench.test', 1, 1, 'active', 'immediate', 0 FROM seq`;
const CLEAR = ['email_notification_history', 'email_notifications', 'unsubscribe_tokens', 'email_statistics', 'content_items', 'users'].map(
  (t) => `DELETE FROM ${t}`,
);

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
};
const round = (x: number, digits = 2) => Number(x.toFixed(digits));

/** The D1 binding with a round-trip counter. */
function countingD1(d1: D1Database) {
  const counter = { roundTrips: 0, lastBatchRowsRead: 0 };
  const raw = new WeakMap<object, D1PreparedStatement>();
  const wrap = (stmt: D1PreparedStatement): D1PreparedStatement => {
    const proxy = new Proxy(stmt, {
      get(target, prop) {
        if (prop === 'bind') return (...args: unknown[]) => wrap(target.bind(...args));
        if (prop === 'run' || prop === 'all' || prop === 'first' || prop === 'raw') {
          return (...args: unknown[]) => {
            counter.roundTrips += 1;
            return (target[prop] as (...a: unknown[]) => unknown).apply(target, args);
          };
        }
        const value = Reflect.get(target, prop, target);
        return typeof value === 'function' ? value.bind(target) : value;
      },
    });
    raw.set(proxy, stmt);
    return proxy;
  };
  const binding = {
    prepare: (sql: string) => wrap(d1.prepare(sql)),
    batch: async (stmts: D1PreparedStatement[]) => {
      counter.roundTrips += 1;
      const results = await d1.batch(stmts.map((s) => raw.get(s) ?? s));
      counter.lastBatchRowsRead = results.reduce((sum, r) => sum + (r.meta?.rows_read ?? 0), 0);
      return results;
    },
    exec: (sql: string) => {
      counter.roundTrips += 1;
      return d1.exec(sql);
    },
    dump: () => (d1 as unknown as { dump(): Promise<ArrayBuffer> }).dump(),
    withSession: (...args: unknown[]) => (d1 as unknown as { withSession(...a: unknown[]): unknown }).withSession(...args),
  } as unknown as D1Database;
  return { binding, counter };
}

async function reset(t: TestD1, readers: number) {
  await t.d1.batch(CLEAR.map((s) => t.d1.prepare(s)));
  await t.d1.prepare(SEED_USERS_SQL).bind(readers).run();
  const item = await createContentItem(t.db, {
    slug: `blog/bench-${readers}-${Date.now()}`,
    contentType: 'blog',
    title: 'A benchmark post',
    description: 'Ten thousand readers want this.',
    contentUrl: 'https://blog.example.com/blog/bench/',
    publishDate: new Date(NOW.getTime() - 3_600_000),
    filePath: 'src/content/blog/bench.md',
  });
  const queued = await enqueueNotificationsForContent(t.db, item, { now: NOW });
  await t.d1.prepare('UPDATE content_items SET notification_sent = 1').run(); // queued; the drain only sends
  if (queued !== readers) throw new Error(`queued ${queued}, expected ${readers}`);
}

async function drain(t: TestD1, batchSize: number) {
  await reset(t, DRAIN_ROWS);
  const { binding, counter } = countingD1(t.d1);
  const transport = createLoopbackTransport();
  const config = loadDeliveryConfig({ SITE_URL: 'https://blog.example.com', RATE_PER_MINUTE: '0', DAILY_CAP: '0' });
  const deps = { db: createDb(binding), transport, clock: () => NOW, config };
  const started = performance.now();
  let runs = 0;
  let batches = 0;
  for (;;) {
    const summary = await processNotifications(deps, { batchSize, timeBudgetMs: 600_000 });
    runs += 1;
    batches += summary.batches;
    if (summary.remaining === 0) break;
    if (runs > 100) throw new Error('drain did not finish');
  }
  const ms = performance.now() - started;
  const [left] = (await t.d1.prepare("SELECT count(*) AS n FROM email_notifications WHERE status <> 'sent'").all<{ n: number }>()).results;
  if (transport.count !== DRAIN_ROWS || left!.n !== 0) throw new Error(`drain sent ${transport.count}, ${left!.n} not sent`);
  // Per run there are fixed queries (fan-out check, templates, final count, the empty claim);
  // per batch the pipeline's own: pacing is off here (no limit), so claim, tokens, record.
  const perRunFixed = 4;
  return {
    batch_size: batchSize,
    emails: transport.count,
    seconds: round(ms / 1000),
    emails_per_s: Math.round(transport.count / (ms / 1000)),
    processor_runs: runs,
    batches,
    d1_round_trips: counter.roundTrips,
    round_trips_per_batch: round((counter.roundTrips - perRunFixed * runs) / batches),
    avg_message_bytes: Math.round(transport.bytes / transport.count),
  };
}

async function claimTiming(t: TestD1, queued: number) {
  await reset(t, queued);
  const config = loadDeliveryConfig({ SITE_URL: 'https://blog.example.com' });
  const { binding, counter } = countingD1(t.d1);
  const db = createDb(binding);
  const claim = () =>
    claimDueNotifications(db, { now: NOW, limit: CLAIM_LIMIT, leaseSeconds: 300, messageIdDomain: config.messageIdDomain, maxAttempts: 5 });
  const putBack = () =>
    t.d1.prepare("UPDATE email_notifications SET status = 'pending', lease_expires_at = NULL WHERE status = 'sending'").run();
  await claim();
  await putBack();
  const samples: number[] = [];
  const noop: number[] = [];
  let rowsRead = 0;
  for (let i = 0; i < CLAIM_RUNS; i++) {
    let started = performance.now();
    const rows = await claim();
    samples.push(performance.now() - started);
    rowsRead = counter.lastBatchRowsRead;
    if (rows.length !== CLAIM_LIMIT) throw new Error(`claimed ${rows.length}`);
    await putBack();
    started = performance.now();
    await t.d1.prepare('SELECT 1').all(); // the bare round trip, for scale
    noop.push(performance.now() - started);
  }
  const plan = (
    await t.d1
      .prepare(
        `EXPLAIN QUERY PLAN SELECT id FROM email_notifications INDEXED BY idx_email_notifications_claimable
         WHERE status = 'pending' AND notification_type <> 'digest' AND (scheduled_for IS NULL OR scheduled_for <= ?1)
         ORDER BY scheduled_for, created_at LIMIT 50`,
      )
      .bind(Math.floor(NOW.getTime() / 1000))
      .all<{ detail: string }>()
  ).results.map((r) => r.detail);
  return {
    queued,
    claim_limit: CLAIM_LIMIT,
    median_ms: round(median(samples)),
    min_ms: round(Math.min(...samples)),
    empty_round_trip_median_ms: round(median(noop)),
    rows_read: rowsRead, // D1's own count over the claim batch: flat means the queue size does not matter
    samples_ms: samples.map((s) => round(s)),
    pending_plan: plan,
  };
}

export async function run(): Promise<object> {
  const t = await createTestD1();
  try {
    const drains = [];
    for (const size of DRAIN_BATCH_SIZES) drains.push(await drain(t, size));
    const claims = [];
    for (const size of CLAIM_SIZES) claims.push(await claimTiming(t, size));
    console.table(drains.map(({ batch_size, emails, seconds, emails_per_s, batches, round_trips_per_batch }) => ({ batch_size, emails, seconds, emails_per_s, batches, round_trips_per_batch })));
    console.table(claims.map(({ queued, claim_limit, median_ms, min_ms, empty_round_trip_median_ms, rows_read }) => ({ queued, claim_limit, median_ms, min_ms, empty_round_trip_median_ms, rows_read })));
    console.log(`claim plan (pending part): ${claims[0]!.pending_plan.join(' | ')}`);
    const result = {
      name: 'delivery',
      measured_at: new Date().toISOString(),
      environment: 'local D1 (workerd via wrangler getPlatformProxy), loopback transport, no rate limit',
      drain: drains,
      claim: claims,
    };
    mkdirSync(join(import.meta.dirname, 'results'), { recursive: true });
    writeFileSync(RESULTS_FILE, `${JSON.stringify(result, null, 2)}\n`);
    return result;
  } finally {
    await t.dispose();
  }
}
