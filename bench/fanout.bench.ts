/**
 * Fan-out benchmark (issue 2): the set-based `INSERT … SELECT` of enqueueNotificationsForContent
 * on local D1, against the original system's per-subscriber loop (measured on a sample, reported as
 * rows/s), and against the very same SQL on raw `node:sqlite` with the same migrations (the
 * ceiling). Medians of RUNS runs after one warm-up; rows are deleted between runs.
 */
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { createTestD1, MIGRATIONS_DIR, type TestD1 } from '../test/helpers/d1';
import type { Db } from '../db/client';
import { createContentItem } from '../db/content';
import { createEmailNotification, enqueueNotificationsForContent, fanOutQueries, getSubscribersForContentType } from '../db/notifications';
import type { ContentItem } from '../db/schema';

const SIZES = [10_000, 50_000];
const RUNS = 5;
const LOOP_SAMPLE = 300; // rows inserted one by one per loop run
const RESULTS_FILE = join(import.meta.dirname, 'results', 'fanout.json');
const NOW = new Date('2026-03-04T10:00:00Z');

type Timing = { rows: number; ms: number; rows_per_s: number; samples_ms: number[] };

const median = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
};
const round = (x: number, digits = 1) => Number(x.toFixed(digits));
const timing = (rows: number, samples: number[]): Timing => {
  const ms = median(samples);
  return { rows, ms: round(ms, 2), rows_per_s: Math.round(rows / (ms / 1000)), samples_ms: samples.map((s) => round(s, 2)) };
};

/**
 * N eligible, verified, immediate blog readers from a recursive CTE: one statement, no loop.
 * Ids are random 21-character strings like the nanoids of real users (sorted ids would
 * flatter every index keyed by user_id).
 */
const SEED_USERS_SQL = `
WITH RECURSIVE seq(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM seq WHERE n < ?1)
INSERT INTO users (id, email, email_blog_updates, email_verified, email_status, email_frequency, unsubscribe_all)
SELECT substr(lower(hex(randomblob(11))), 1, 21), 'reader' || n || '@bench.test', 1, 1, 'active', 'immediate', 0 FROM seq`;
const CLEAR_QUEUE_SQL = ['DELETE FROM email_notification_history', 'DELETE FROM email_notifications'];

async function timed(fn: () => Promise<unknown> | unknown): Promise<number> {
  const started = performance.now();
  await fn();
  return performance.now() - started;
}

async function measure(runs: number, body: () => Promise<unknown> | unknown, reset: () => Promise<unknown> | unknown): Promise<number[]> {
  await body(); // warm-up, not counted
  await reset();
  const samples: number[] = [];
  for (let i = 0; i < runs; i++) {
    samples.push(await timed(body));
    await reset();
  }
  return samples;
}

// --- local D1 -------------------------------------------------------------------------

async function resetD1Users(t: TestD1, n: number): Promise<void> {
  await t.d1.batch([...CLEAR_QUEUE_SQL, 'DELETE FROM users'].map((s) => t.d1.prepare(s)));
  await t.d1.prepare(SEED_USERS_SQL).bind(n).run();
}

async function benchD1(t: TestD1, item: ContentItem, n: number) {
  await resetD1Users(t, n);
  const clear = () => t.d1.batch(CLEAR_QUEUE_SQL.map((s) => t.d1.prepare(s)));
  let created = 0;
  const full = await measure(RUNS, async () => (created = await enqueueNotificationsForContent(t.db, item, { now: NOW })), clear);
  if (created !== n) throw new Error(`fan-out created ${created} rows, expected ${n}`);
  const notificationsOnly = await measure(RUNS, () => fanOutQueries(t.db, item, { now: NOW })[0], clear);

  // The original system's loop: fetch the subscribers, then one awaited INSERT per subscriber.
  const fetchSamples: number[] = [];
  const loopSamples: number[] = [];
  for (let i = 0; i <= RUNS; i++) {
    let subscribers: { id: string }[] = [];
    const fetchMs = await timed(async () => (subscribers = await getSubscribersForContentType(t.db, 'blog')));
    if (subscribers.length !== n) throw new Error(`loop saw ${subscribers.length} subscribers, expected ${n}`);
    const loopMs = await timed(async () => {
      for (const user of subscribers.slice(0, LOOP_SAMPLE)) {
        await createEmailNotification(t.db, {
          userId: user.id, contentType: item.contentType, contentId: item.slug, contentTitle: item.title,
          contentUrl: item.contentUrl!, contentExcerpt: item.description, notificationType: 'new_content',
        });
      }
    });
    await clear();
    if (i === 0) continue; // warm-up
    fetchSamples.push(fetchMs);
    loopSamples.push(loopMs);
  }
  const loop = timing(LOOP_SAMPLE, loopSamples);
  const fetchMs = median(fetchSamples);
  return {
    full: timing(n, full),
    notificationsOnly: timing(n, notificationsOnly),
    loop: { ...loop, fetch_subscribers_ms: round(fetchMs, 2), projected_ms_for_all: Math.round(fetchMs + (n / loop.rows_per_s) * 1000) },
  };
}

// --- raw node:sqlite (the ceiling) ----------------------------------------------------

export function openRawSqlite(dir: string, journalMode: 'delete' | 'wal' = 'delete'): DatabaseSync {
  const raw = new DatabaseSync(join(dir, `raw-${journalMode}.sqlite`));
  raw.exec('PRAGMA foreign_keys = ON'); // as D1 does: the FK checks are part of the work
  raw.exec(`PRAGMA journal_mode = ${journalMode}`);
  for (const file of readdirSync(MIGRATIONS_DIR).filter((f) => f.endsWith('.sql')).sort()) {
    raw.exec(readFileSync(join(MIGRATIONS_DIR, file), 'utf8'));
  }
  return raw;
}

export function benchRawSqlite(raw: DatabaseSync, db: Db, item: ContentItem, n: number) {
  raw.exec([...CLEAR_QUEUE_SQL, 'DELETE FROM users', 'DELETE FROM content_items'].join(';'));
  raw.prepare(SEED_USERS_SQL).run(n);
  // The very statements the D1 path runs, with their parameters, built by the same code.
  const [notifications, history] = fanOutQueries(db, item, { now: NOW }).map((q) => {
    const { sql, params } = q.toSQL();
    return { statement: raw.prepare(sql), params: params as (string | number | null)[] };
  });
  const inTransaction = (steps: (typeof notifications)[]) => () => {
    raw.exec('BEGIN');
    for (const step of steps) step!.statement.run(...step!.params);
    raw.exec('COMMIT');
  };
  const clear = () => raw.exec(CLEAR_QUEUE_SQL.join(';'));
  const count = () => (raw.prepare('SELECT count(*) AS n FROM email_notifications').get() as { n: number }).n;
  return (async () => {
    const full = await measure(RUNS, inTransaction([notifications, history]), clear);
    inTransaction([notifications])();
    if (count() !== n) throw new Error(`raw fan-out created ${count()} rows, expected ${n}`);
    clear();
    const notificationsOnly = await measure(RUNS, inTransaction([notifications]), clear);
    return { full: timing(n, full), notificationsOnly: timing(n, notificationsOnly) };
  })();
}

// --- report ---------------------------------------------------------------------------

function printTable(rows: (string | number)[][]): void {
  const widths = rows[0]!.map((_, c) => Math.max(...rows.map((r) => String(r[c]).length)));
  for (const [i, r] of rows.entries()) {
    console.log(r.map((cell, c) => (c <= 1 ? String(cell).padEnd(widths[c]!) : String(cell).padStart(widths[c]!))).join('  '));
    if (i === 0) console.log(widths.map((w) => '-'.repeat(w)).join('  '));
  }
}

export async function run(): Promise<object> {
  const dir = mkdtempSync(join(tmpdir(), 'bench-fanout-'));
  const t = await createTestD1();
  const raw = openRawSqlite(dir, 'delete');
  const rawWal = openRawSqlite(dir, 'wal');
  try {
    const item = await createContentItem(t.db, {
      slug: 'blog/benchmark-post', contentType: 'blog', title: 'A benchmark post', description: 'Fan-out at scale.',
      contentUrl: 'https://blog.example/blog/benchmark-post/', publishDate: NOW, filePath: 'src/content/blog/benchmark-post.md',
    });
    const sizes = [];
    for (const n of SIZES) {
      const d1 = await benchD1(t, item, n);
      const sqlite = await benchRawSqlite(raw, t.db, item, n);
      const sqliteWal = await benchRawSqlite(rawWal, t.db, item, n);
      sizes.push({
        subscribers: n,
        set_based_d1: d1.full,
        set_based_d1_notifications_only: d1.notificationsOnly,
        loop_d1: d1.loop,
        raw_sqlite: sqlite.full,
        raw_sqlite_notifications_only: sqlite.notificationsOnly,
        raw_sqlite_wal: sqliteWal.full,
        raw_sqlite_wal_notifications_only: sqliteWal.notificationsOnly,
        // Conservative: the set-based side also writes a history row per notification, the loop does not.
        speedup_vs_loop: Math.round(d1.full.rows_per_s / d1.loop.rows_per_s),
        // Like for like: both sides write exactly the notification rows.
        speedup_vs_loop_notifications_only: Math.round(d1.notificationsOnly.rows_per_s / d1.loop.rows_per_s),
        ratio_vs_raw_sqlite: round(d1.full.ms / sqlite.full.ms, 2),
        ratio_vs_raw_sqlite_notifications_only: round(d1.notificationsOnly.ms / sqlite.notificationsOnly.ms, 2),
        // Local D1 keeps its SQLite file in WAL mode: this is the ceiling with the same journal.
        ratio_vs_raw_sqlite_wal: round(d1.full.ms / sqliteWal.full.ms, 2),
        ratio_vs_raw_sqlite_wal_notifications_only: round(d1.notificationsOnly.ms / sqliteWal.notificationsOnly.ms, 2),
      });
    }
    const result = {
      name: 'fanout',
      runs: RUNS,
      loop_sample_rows: LOOP_SAMPLE,
      node: process.version,
      measured_at: new Date().toISOString(),
      notes:
        'set_based_* = enqueueNotificationsForContent on local D1 (getPlatformProxy): notifications INSERT…SELECT plus the queued-history INSERT…SELECT in one batch; *_notifications_only = the first statement alone. loop_d1 = getSubscribersForContentType then createEmailNotification awaited per row, on a sample. raw_sqlite = the same SQL and parameters on node:sqlite (file DB, foreign keys on, same migrations) in one transaction, default rollback journal; raw_sqlite_wal = the same in WAL mode, the journal local D1 uses (its files have -wal/-shm). User ids are random like real nanoids. ms are medians.',
      sizes,
    };

    const table: (string | number)[][] = [['subscribers', 'path', 'rows', 'median ms', 'rows/s', 'D1 vs raw (rollback / WAL)']];
    for (const s of sizes) {
      const line = (path: string, x: Timing, ratio = '') => table.push([s.subscribers, path, x.rows, x.ms, x.rows_per_s, ratio]);
      line('set-based D1 (notifications + history)', s.set_based_d1, `${s.ratio_vs_raw_sqlite}x / ${s.ratio_vs_raw_sqlite_wal}x`);
      line('set-based D1 (notifications only)', s.set_based_d1_notifications_only, `${s.ratio_vs_raw_sqlite_notifications_only}x / ${s.ratio_vs_raw_sqlite_wal_notifications_only}x`);
      line('raw node:sqlite (notifications + history)', s.raw_sqlite);
      line('raw node:sqlite (notifications only)', s.raw_sqlite_notifications_only);
      line('raw node:sqlite WAL (notifications + history)', s.raw_sqlite_wal);
      line('raw node:sqlite WAL (notifications only)', s.raw_sqlite_wal_notifications_only);
      line(`spec loop D1 (sample; all ${s.subscribers}: ~${Math.round(s.loop_d1.projected_ms_for_all / 1000)} s)`, s.loop_d1);
      table.push([s.subscribers, 'speedup vs loop (with history / notifications only)', '', '', `${s.speedup_vs_loop}x / ${s.speedup_vs_loop_notifications_only}x`, '']);
    }
    printTable(table);
    mkdirSync(join(import.meta.dirname, 'results'), { recursive: true });
    writeFileSync(RESULTS_FILE, `${JSON.stringify(result, null, 2)}\n`);
    console.log(`\nwrote ${RESULTS_FILE}`);
    return result;
  } finally {
    raw.close();
    rawWal.close();
    await t.dispose();
    rmSync(dir, { recursive: true, force: true });
  }
}
