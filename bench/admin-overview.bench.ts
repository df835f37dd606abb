/**
 * The author console's overview queries (db/admin/overview.ts) on local D1 with 100,000
 * readers, 1,000,000 history rows, 300,000 notifications and 90 days of statistics:
 * median and p95 of RUNS executions of each query, rows read, and EXPLAIN QUERY PLAN
 * (the index each one uses). Goal: every query under 100 ms at p95. Then the subscribers page's
 * search (db/admin/subscribers.ts: any part of the address, page + total) on the same readers.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { OVERVIEW_QUERIES, overviewParams, paramsFor, type OverviewQueryName } from '../db/admin/overview';
import { parseSubscriberFilters, searchSubscribers } from '../db/admin/subscribers';
import { createTestD1 } from '../test/helpers/d1';

const USERS = 100_000;
const HISTORY = 1_000_000;
const NOTIFICATIONS = 300_000;
const CHUNK = 100_000; // rows per seeding statement
const RUNS = 20;
const GOAL_P95_MS = 100;
const RESULTS_FILE = join(import.meta.dirname, 'results', 'admin-overview.json');
const NOW = new Date('2026-11-25T10:00:00Z');
const NOW_S = Math.floor(NOW.getTime() / 1000);
const SPAN_S = 120 * 86_400; // data spread over the last 120 days

// The subscribers page's searches: a part in the middle, a domain (every reader), a miss, and a part with filters.
const SEARCHES: [string, Record<string, string>][] = [
  ['middle of an address "4242@"', { q: '4242@' }],
  ['domain "@bench.test" (every reader)', { q: '@bench.test' }],
  ['no match "nobody"', { q: 'nobody' }],
  ['"reader1" + active + daily', { q: 'reader1', status: 'active', frequency: 'daily' }],
];

const seq = (offset: number, count: number) => `WITH RECURSIVE seq(n) AS (SELECT ${offset} UNION ALL SELECT n + 1 FROM seq WHERE n < ${offset + count - 1})`;

// Readers: mostly active, some unconfirmed, bounced, unsubscribed, blocked; joined over 120 days.
const seedUsers = (offset: number, count: number) => `${seq(offset, count)}
INSERT INTO users (id, email, email_blog_updates, email_verified, email_status, email_frequency, unsubscribe_all, created_at, unsubscribed_at)
SELECT printf('u%08d', n), 'reader' || n || '@bench.test', 1, (n % 10) <> 0,
  CASE WHEN n % 50 = 0 THEN 'bounced' WHEN n % 23 = 0 THEN 'unsubscribed' WHEN n % 97 = 0 THEN 'blocked' ELSE 'active' END,
  CASE n % 3 WHEN 0 THEN 'immediate' WHEN 1 THEN 'daily' ELSE 'weekly' END, n % 23 = 0 AND n % 50 <> 0,
  ${NOW_S - SPAN_S} + (n * ${SPAN_S}) / ${USERS},
  CASE WHEN n % 23 = 0 AND n % 50 <> 0 THEN ${NOW_S - SPAN_S} + (n * ${SPAN_S}) / ${USERS} + 86400 END
FROM seq`;

const seedNotifications = (offset: number, count: number) => `${seq(offset, count)}
INSERT INTO email_notifications (id, user_id, content_type, content_id, content_title, content_url, notification_type, status, created_at, scheduled_for)
SELECT printf('n%08d', n), printf('u%08d', 1 + n % ${USERS}), 'blog', 'blog/post-' || (n / ${USERS}), 'Post', 'https://b.test/p',
  CASE WHEN n % 3 = 0 THEN 'new_content' ELSE 'digest' END,
  CASE WHEN n < ${NOTIFICATIONS - 20_000} THEN (CASE WHEN n % 40 = 0 THEN 'failed' WHEN n % 41 = 0 THEN 'cancelled' ELSE 'sent' END) ELSE 'pending' END,
  ${NOW_S - SPAN_S} + (n * ${SPAN_S}) / ${NOTIFICATIONS},
  CASE WHEN n % 3 <> 0 AND n >= ${NOTIFICATIONS - 20_000} THEN ${NOW_S} + 3600 * (1 + n % 5) END
FROM seq`;

const seedHistory = (offset: number, count: number) => `${seq(offset, count)}
INSERT INTO email_notification_history (id, notification_id, user_id, action, details, timestamp)
SELECT printf('h%08d', n), NULL, printf('u%08d', 1 + n % ${USERS}),
  CASE WHEN n % 5 < 3 THEN 'sent' WHEN n % 5 = 3 THEN 'queued' WHEN n % 50 = 4 THEN 'bounced' WHEN n % 100 = 9 THEN 'unsubscribed' ELSE 'opened' END,
  CASE WHEN n % 5 < 3 THEN json_object('messageId', '<m' || n || '@b.test>') WHEN n % 1000 = 9 THEN json_object('source', 'complaint') END,
  ${NOW_S - SPAN_S} + (n * ${SPAN_S}) / ${HISTORY}
FROM seq`;

const seedStatistics = `${seq(0, 120)}
INSERT INTO email_statistics (id, date_key, content_type, total_sent, total_failed, total_bounced, total_opened, total_clicked, total_unsubscribed)
SELECT 's' || n || t.value, date(${NOW_S} - n * 86400, 'unixepoch'), t.value, 5000 + n * 7, 20, 4, 1500, 300, 3
FROM seq, json_each('["blog","thought","digest","all"]') AS t`;

const percentile = (xs: number[], p: number) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.ceil((p / 100) * s.length) - 1)]!;
};
const round = (x: number) => Number(x.toFixed(2));

export async function run() {
  const t = await createTestD1();
  try {
    const seedStarted = performance.now();
    for (let o = 1; o <= USERS; o += CHUNK) await t.d1.prepare(seedUsers(o, Math.min(CHUNK, USERS - o + 1))).run();
    for (let o = 0; o < NOTIFICATIONS; o += CHUNK) await t.d1.prepare(seedNotifications(o, Math.min(CHUNK, NOTIFICATIONS - o))).run();
    for (let o = 0; o < HISTORY; o += CHUNK) await t.d1.prepare(seedHistory(o, Math.min(CHUNK, HISTORY - o))).run();
    await t.d1.prepare(seedStatistics).run();
    await t.d1
      .prepare('ANALYZE')
      .run()
      .catch(() => undefined);
    console.log(
      `seeded ${USERS} readers, ${NOTIFICATIONS} notifications, ${HISTORY} history rows in ${((performance.now() - seedStarted) / 1000).toFixed(1)} s`,
    );

    const params = overviewParams(NOW);
    const rows = [];
    for (const name of Object.keys(OVERVIEW_QUERIES) as OverviewQueryName[]) {
      const sql = OVERVIEW_QUERIES[name];
      const bound = paramsFor(sql, params);
      const samples: number[] = [];
      let rowsRead = 0;
      for (let i = 0; i < RUNS; i += 1) {
        const started = performance.now();
        const result = await t.d1
          .prepare(sql)
          .bind(...bound)
          .all();
        samples.push(performance.now() - started);
        rowsRead = result.meta.rows_read;
      }
      const plan = await t.d1
        .prepare(`EXPLAIN QUERY PLAN ${sql}`)
        .bind(...bound)
        .all<{ detail: string }>();
      rows.push({
        query: name,
        median_ms: round(percentile(samples, 50)),
        p95_ms: round(percentile(samples, 95)),
        rows_read: rowsRead,
        under_goal: percentile(samples, 95) < GOAL_P95_MS,
        plan: plan.results.map((r) => r.detail).join(' | '),
      });
    }
    console.table(rows.map(({ plan: _plan, ...r }) => r));
    for (const r of rows) console.log(`${r.query}: ${r.plan}`);

    // The search is a scan (instr finds a part anywhere, which no index serves): timed as the page runs it.
    const search = [];
    for (const [label, query] of SEARCHES) {
      const samples: number[] = [];
      let total = 0;
      for (let i = 0; i < RUNS; i += 1) {
        const started = performance.now();
        total = (await searchSubscribers(t.db, parseSubscriberFilters(new URLSearchParams(query)))).total;
        samples.push(performance.now() - started);
      }
      search.push({ search: label, matches: total, median_ms: round(percentile(samples, 50)), p95_ms: round(percentile(samples, 95)) });
    }
    console.table(search);
    const report = { users: USERS, history: HISTORY, notifications: NOTIFICATIONS, runs: RUNS, goal_p95_ms: GOAL_P95_MS, queries: rows, search };
    mkdirSync(join(import.meta.dirname, 'results'), { recursive: true });
    writeFileSync(RESULTS_FILE, `${JSON.stringify(report, null, 2)}\n`);
    return report;
  } finally {
    await t.dispose();
  }
}
