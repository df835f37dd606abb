/**
 * `npx astro-d1-notify db:stats`: row counts of every table, and EXPLAIN QUERY PLAN of the hot queries
 * (the spec's "Performance Monitoring") with the index each one uses. The explained SQL is
 * the production SQL itself (built by the same functions, never run), so the plan is the
 * plan production gets.
 */
import { unnotifiedContentQuery } from '../content/content';
import { CLAIM_SINGLES } from '../delivery/claims';
import { eligibleSubscriberFilter } from '../delivery/eligibility';
import { fanOutQueries } from '../delivery/notifications';
import { users, type ContentItem } from '../schema';
import { sqlOnlyDb, stmt, toStatement, type SqlRunner, type SqlStatement } from '../sql-runner';

export type TableCount = { table: string; rows: number };
export type QueryPlan = { name: string; description: string; indexes: string[]; fullScans: string[]; plan: string[] };
export type DbStats = { tables: TableCount[]; plans: QueryPlan[] };

// Tables of SQLite and of Cloudflare's D1 bookkeeping: not ours to count.
const INTERNAL = "name NOT LIKE 'sqlite\\_%' ESCAPE '\\' AND name NOT LIKE '\\_cf\\_%' ESCAPE '\\'";
const quoteIdent = (name: string) => `"${name.replaceAll('"', '""')}"`;

/** Tables counted per query: D1 refuses long UNION ALL chains ("too many terms in compound SELECT"). */
const TABLES_PER_QUERY = 50;

/** Every table's row count: one query for the names, one query of scalar subqueries for the counts. */
export async function tableCounts(db: SqlRunner): Promise<TableCount[]> {
  const names = (await db.query<{ name: string }>(stmt(`SELECT name FROM sqlite_master WHERE type = 'table' AND ${INTERNAL} ORDER BY name`))).map(
    (r) => r.name,
  );
  const counts: TableCount[] = [];
  for (let i = 0; i < names.length; i += TABLES_PER_QUERY) {
    const chunk = names.slice(i, i + TABLES_PER_QUERY);
    const [row] = await db.query<Record<string, number>>(
      stmt(`SELECT ${chunk.map((name, j) => `(SELECT count(*) FROM ${quoteIdent(name)}) AS c${j}`).join(', ')}`),
    );
    chunk.forEach((table, j) => {
      counts.push({ table, rows: Number(row?.[`c${j}`] ?? 0) });
    });
  }
  return counts;
}

const SAMPLE_ITEM: ContentItem = {
  id: 'explain',
  slug: 'blog/explain',
  contentType: 'blog',
  title: 'Explain',
  description: null,
  contentPreview: null,
  contentUrl: 'https://example.com/blog/explain',
  publishDate: new Date(0),
  filePath: 'src/content/blog/explain.md',
  contentHash: null,
  notificationSent: false,
  notificationCount: 0,
  deliveryHeld: false,
  awaitingApproval: false,
  sendAt: null,
  emailHtml: null,
  emailText: null,
  author: null,
  heroImage: null,
  createdAt: new Date(0),
  updatedAt: new Date(0),
  tags: [],
};

/** The hot queries, as production builds them. */
export function hotQueries(now: Date = new Date()): { name: string; description: string; statement: SqlStatement }[] {
  const nowSeconds = Math.floor(now.getTime() / 1000);
  return [
    {
      name: 'subscribers',
      description: 'eligible subscribers of a content type (getSubscribersForContentType)',
      statement: toStatement(sqlOnlyDb.select().from(users).where(eligibleSubscriberFilter('blog'))),
    },
    {
      name: 'fan-out',
      description: 'INSERT … SELECT of one notification per eligible reader (enqueueNotificationsForContent)',
      statement: toStatement(fanOutQueries(sqlOnlyDb, SAMPLE_ITEM, { now })[0]),
    },
    {
      name: 'claim',
      description: 'claim of due single notifications with a lease (claimDueNotifications)',
      statement: { sql: CLAIM_SINGLES, params: [nowSeconds, nowSeconds + 300, 'example.com', 50, 5] },
    },
    {
      name: 'unnotified-content',
      description: 'published content not yet fanned out (getUnnotifiedContent)',
      statement: toStatement(unnotifiedContentQuery(sqlOnlyDb, now)),
    },
  ];
}

type PlanRow = { id: number; parent: number; detail: string };

/** The indexes a plan uses, and the tables it scans without one. */
export function summarisePlan(details: readonly string[]): Pick<QueryPlan, 'indexes' | 'fullScans'> {
  const indexes = new Set<string>();
  const fullScans = new Set<string>();
  for (const d of details) {
    const index = /USING (?:COVERING |AUTOMATIC (?:PARTIAL )?COVERING )?INDEX (\S+)/.exec(d)?.[1];
    if (index) indexes.add(index);
    else if (/USING INTEGER PRIMARY KEY|USING ROWID SEARCH/.test(d)) indexes.add('rowid');
    const scan = /^SCAN (\S+)(?: AS \S+)?$/.exec(d.trim());
    // `SCAN (subquery-N)` reads a co-routine's own output, not a table.
    if (scan && !scan[1]!.startsWith('(') && !/^json_each$/i.test(scan[1]!)) fullScans.add(scan[1]!);
  }
  return { indexes: [...indexes], fullScans: [...fullScans] };
}

export async function explainHotQueries(db: SqlRunner, now: Date = new Date()): Promise<QueryPlan[]> {
  return Promise.all(
    hotQueries(now).map(async (q) => {
      const rows = await db.query<PlanRow>({ sql: `EXPLAIN QUERY PLAN ${q.statement.sql}`, params: q.statement.params });
      const plan = rows.map((r) => r.detail);
      return { name: q.name, description: q.description, ...summarisePlan(plan), plan };
    }),
  );
}

export async function collectDbStats(db: SqlRunner, now: Date = new Date()): Promise<DbStats> {
  const [tables, plans] = await Promise.all([tableCounts(db), explainHotQueries(db, now)]);
  return { tables, plans };
}

export function formatDbStats(stats: DbStats): string {
  const width = Math.max(5, ...stats.tables.map((t) => t.table.length));
  const lines = [
    'Rows per table:',
    ...stats.tables.map((t) => `  ${t.table.padEnd(width)} ${String(t.rows).padStart(10)}`),
    '',
    'Hot queries (EXPLAIN QUERY PLAN):',
  ];
  for (const p of stats.plans) {
    lines.push(`  ${p.name}: ${p.description}`);
    lines.push(`    indexes: ${p.indexes.join(', ') || '(none)'}${p.fullScans.length ? `; full scans: ${p.fullScans.join(', ')}` : ''}`);
    for (const d of p.plan) lines.push(`      ${d}`);
  }
  return lines.join('\n');
}
