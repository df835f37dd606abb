/**
 * The bench worker: runs inside workerd (Miniflare), where production code runs. Every
 * `POST /phase/<name>` with a JSON body is one invocation that runs one phase and answers
 * `{ result, counters }`; the counters are that invocation's D1 round trips and statements
 * and its wall time as the worker sees it (workerd's clock moves only across I/O, which
 * D1 calls are). Node drives it through bench/workerd/harness.ts.
 */
import { createDb, type Db } from '../../db/client';
import { createContentItem } from '../../db/content/content';
import { claimDueNotifications } from '../../db/delivery/claims';
import { createEmailNotification, enqueueNotificationsForContent, fanOutQueries, getSubscribersForContentType } from '../../db/delivery/notifications';
import type { ContentItem } from '../../db/schema';
import { loadDeliveryConfig } from '../../integration/delivery/config';

/** A public site's settings (no defaults there); the bench hands the processor its own loopback transport. */
const BENCH_SITE = {
  SITE_URL: 'https://blog.example.com',
  SITE_NAME: 'Plain Words',
  MAIL_FROM: 'Plain Words <news@example.com>',
  POSTAL_ADDRESS: '1 Example Street, Example City',
  MAIL_TRANSPORT: 'resend',
  RESEND_API_KEY: 're_bench_key_never_sent',
};
import { processNotifications } from '../../integration/delivery/processor';
import { createLoopbackTransport } from '../../test/helpers/fault-injection';
import { countingD1, type D1Counter } from './counting-d1';
import { CLEAR_QUEUE_SQL, SEED_USERS_SQL } from './seed-sql';

type Env = { DB: D1Database };
type Ctx = { db: Db; d1: D1Database; raw: D1Database; counter: D1Counter };
type Phase = (ctx: Ctx, body: Record<string, unknown>) => Promise<unknown>;

export const BENCH_NOW = new Date('2026-11-25T10:00:00Z');

const CLEAR_ALL_SQL = [...CLEAR_QUEUE_SQL, ...['unsubscribe_tokens', 'email_statistics', 'content_items', 'users'].map((t) => `DELETE FROM ${t}`)];

const int = (body: Record<string, unknown>, key: string): number => {
  const value = body[key];
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 0) throw new Error(`${key} must be a non-negative integer`);
  return value;
};
const itemOf = (body: Record<string, unknown>): ContentItem => {
  const item = body.item as ContentItem | undefined;
  if (!item?.slug) throw new Error('item is required');
  return item;
};
/** ms of the awaited call, on workerd's clock. */
async function timed<T>(fn: () => Promise<T>): Promise<{ ms: number; value: T }> {
  const started = Date.now();
  const value = await fn();
  return { ms: Date.now() - started, value };
}
const countRows = async (d1: D1Database, sql: string) => (await d1.prepare(sql).first<{ n: number }>())!.n;

async function seedUsers({ d1 }: Ctx, readers: number): Promise<void> {
  await d1.batch(CLEAR_ALL_SQL.map((s) => d1.prepare(s)));
  await d1.prepare(SEED_USERS_SQL).bind(readers).run();
}

async function benchItem(db: Db, slug: string): Promise<ContentItem> {
  return createContentItem(db, {
    slug,
    contentType: 'blog',
    title: 'A benchmark post',
    description: 'Fan-out at scale.',
    contentUrl: 'https://blog.example.com/blog/bench/',
    publishDate: new Date(BENCH_NOW.getTime() - 3_600_000),
    filePath: 'src/content/blog/bench.md',
  });
}

/** The post's email body as the build stores it (made email-safe in Node by bench/delivery.bench.ts); absent: the summary card. */
type BenchBody = { html: string; text: string; author?: string; heroImage?: string };
const bodyOf = (body: Record<string, unknown>): BenchBody | null => {
  const post = body.post as BenchBody | undefined;
  if (post === undefined || post === null) return null;
  if (typeof post.html !== 'string' || typeof post.text !== 'string') throw new Error('post must have html and text');
  return post;
};

export const PHASES: Record<string, Phase> = {
  /** Statements in one batch (migrations). */
  async exec({ d1 }, body) {
    const statements = body.statements as string[];
    if (!Array.isArray(statements) || statements.length === 0) throw new Error('statements must be a non-empty array');
    await d1.batch(statements.map((s) => d1.prepare(s)));
    return { statements: statements.length };
  },

  /** One statement's rows (for Node-side code that takes a SQL executor, e.g. content sync). */
  async 'sql-query'({ d1 }, body) {
    const { sql, params } = body as { sql: string; params: unknown[] };
    return {
      rows: (
        await d1
          .prepare(sql)
          .bind(...params)
          .all()
      ).results,
    };
  },

  /** Statements in one batch (one transaction); rows changed by each. */
  async 'sql-batch'({ d1 }, body) {
    const statements = body.statements as { sql: string; params: unknown[] }[];
    const results = await d1.batch(statements.map((s) => d1.prepare(s.sql).bind(...s.params)));
    return { changes: results.map((r) => r.meta.changes ?? 0) };
  },

  /** Empties every table the benches write, seeds `readers` readers, registers one item. */
  async setup(ctx, body) {
    await seedUsers(ctx, int(body, 'readers'));
    return { item: await benchItem(ctx.db, 'blog/benchmark-post') };
  },

  async 'clear-queue'({ d1 }) {
    await d1.batch(CLEAR_QUEUE_SQL.map((s) => d1.prepare(s)));
    return {};
  },

  /** The fan-out's SQL and parameters, built by the production code, for the raw SQLite ceiling. */
  async 'fanout-sql'({ db }, body) {
    return { queries: fanOutQueries(db, itemOf(body), { now: BENCH_NOW }).map((q) => q.toSQL()) };
  },

  /** THE set-based fan-out (enqueueNotificationsForContent), or its first statement alone. */
  async 'fanout-set'({ db, d1 }, body) {
    const item = itemOf(body);
    if (body.notificationsOnly) {
      const [insert] = fanOutQueries(db, item, { now: BENCH_NOW });
      const { ms } = await timed(() => insert.run());
      return { ms, created: await countRows(d1, 'SELECT count(*) AS n FROM email_notifications') };
    }
    const { ms, value } = await timed(() => enqueueNotificationsForContent(db, item, { now: BENCH_NOW }));
    return { ms, created: value };
  },

  /** The spec's loop: fetch the subscribers, then one awaited INSERT each, for the first `sample`. */
  async 'fanout-loop'({ db }, body) {
    const item = itemOf(body);
    const sample = int(body, 'sample');
    const fetched = await timed(() => getSubscribersForContentType(db, 'blog'));
    const loop = await timed(async () => {
      for (const user of fetched.value.slice(0, sample)) {
        await createEmailNotification(db, {
          userId: user.id,
          contentType: item.contentType,
          contentId: item.slug,
          contentTitle: item.title,
          contentUrl: item.contentUrl!,
          contentExcerpt: item.description,
          notificationType: 'new_content',
        });
      }
    });
    return { subscribers: fetched.value.length, fetch_ms: fetched.ms, rows: Math.min(sample, fetched.value.length), loop_ms: loop.ms };
  },

  /** `readers` notifications queued (fanned out, item marked sent) for the drain. */
  async 'delivery-setup'(ctx, body) {
    const readers = int(body, 'readers');
    await seedUsers(ctx, readers);
    const item = await benchItem(ctx.db, `blog/bench-${readers}`);
    const post = bodyOf(body);
    if (post) {
      await ctx.d1
        .prepare('UPDATE content_items SET email_html = ?2, email_text = ?3, author = ?4, hero_image = ?5 WHERE slug = ?1')
        .bind(item.slug, post.html, post.text, post.author ?? null, post.heroImage ?? null)
        .run();
    }
    const writtenBefore = ctx.counter.rowsWritten;
    const queued = await enqueueNotificationsForContent(ctx.db, item, { now: BENCH_NOW });
    const fanoutRowsWritten = ctx.counter.rowsWritten - writtenBefore; // the fan-out's own, without the seeding
    await ctx.d1.prepare('UPDATE content_items SET notification_sent = 1').run(); // queued; the drain only sends
    if (queued !== readers) throw new Error(`queued ${queued}, expected ${readers}`);
    return { queued, fanout_rows_written: fanoutRowsWritten };
  },

  /** One run of the production processor (one cron invocation) to the loopback transport, no rate limit. */
  async 'delivery-run'({ db }, body) {
    const transport = createLoopbackTransport();
    const config = loadDeliveryConfig({ ...BENCH_SITE, RATE_PER_MINUTE: '0', DAILY_CAP: '0' });
    const { ms, value } = await timed(() => processNotifications({ db, transport, clock: () => BENCH_NOW, config }, { batchSize: int(body, 'batchSize') }));
    return { ms, sent: transport.count, bytes: transport.bytes, batches: value.batches, remaining: value.remaining, errors: value.errors.length };
  },

  async 'count-unsent'({ d1 }) {
    return { unsent: await countRows(d1, "SELECT count(*) AS n FROM email_notifications WHERE status <> 'sent'") };
  },

  /** `runs` claims of `limit`, the claimed rows put back after each; ms on workerd's clock (1 ms steps). */
  async 'claim-timing'({ db, raw, counter }, body) {
    const runs = int(body, 'runs');
    const limit = int(body, 'limit');
    const config = loadDeliveryConfig(BENCH_SITE);
    const claim = () => claimDueNotifications(db, { now: BENCH_NOW, limit, leaseSeconds: 300, messageIdDomain: config.messageIdDomain, maxAttempts: 5 });
    const putBack = () => raw.prepare("UPDATE email_notifications SET status = 'pending', lease_expires_at = NULL WHERE status = 'sending'").run();
    const samples: number[] = [];
    const emptyRoundTrip: number[] = [];
    for (let i = 0; i <= runs; i++) {
      const { ms, value } = await timed(claim);
      if (value.length !== limit) throw new Error(`claimed ${value.length}, expected ${limit}`);
      await putBack();
      const bare = await timed(() => raw.prepare('SELECT 1').all());
      if (i === 0) continue; // warm-up
      samples.push(ms);
      emptyRoundTrip.push(bare.ms);
    }
    return { samples_ms: samples, empty_round_trip_ms: emptyRoundTrip, rows_read: counter.lastBatchRowsRead };
  },
};

export default {
  async fetch(request: Request, env: Env): Promise<Response> {
    const name = new URL(request.url).pathname.replace(/^\/phase\//, '');
    const phase = Object.hasOwn(PHASES, name) ? PHASES[name] : undefined;
    if (!phase || request.method !== 'POST') return Response.json({ error: `unknown phase ${name}` }, { status: 404 });
    const { binding, counter } = countingD1(env.DB);
    const started = Date.now();
    try {
      const body = (await request.json()) as Record<string, unknown>;
      const result = await phase({ db: createDb(binding), d1: binding, raw: env.DB, counter }, body);
      const counters = {
        d1_round_trips: counter.roundTrips,
        d1_statements: counter.statements,
        d1_rows_read: counter.rowsRead,
        d1_rows_written: counter.rowsWritten,
        d1_without_meta: counter.withoutMeta,
        wall_ms: Date.now() - started,
      };
      return Response.json({ result, counters });
    } catch (error) {
      return Response.json({ error: error instanceof Error ? error.message : String(error) }, { status: 500 });
    }
  },
};
