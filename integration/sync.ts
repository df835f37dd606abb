import { AstroError } from 'astro/errors';
import type { ContentType } from '../db/schema/columns';
import { newId } from '../db/crypto';

export type SqlValue = string | number | null;
export type Statement = { sql: string; params: SqlValue[] };

/** What the sync needs from a database: the local D1 binding and the HTTP API both provide it. */
export interface SqlExecutor {
  /** One read statement; rows as objects. */
  query<T = Record<string, unknown>>(statement: Statement): Promise<T[]>;
  /** Write statements as one transaction (a D1 batch); rows changed per statement. */
  batch(statements: Statement[]): Promise<number[]>;
  /** Requests made so far (one per query or batch locally; HTTP requests remotely). */
  readonly roundTrips: number;
}

/** One row of content_items as the build sees it. */
export type ContentRecord = {
  slug: string;
  contentType: ContentType;
  title: string;
  description: string | null;
  contentPreview: string;
  contentUrl: string;
  /** Unix seconds. */
  publishDate: number;
  filePath: string;
  contentHash: string;
  tags: string[];
};

type ExistingRow = {
  slug: string;
  content_type: string;
  content_hash: string | null;
  content_url: string | null;
  file_path: string;
};

export type SyncPlan = {
  added: ContentRecord[];
  changed: ContentRecord[];
  unchanged: number;
  /** Slugs in D1 for a watched collection or type that the build no longer has: reported, never deleted. */
  removed: string[];
};

export type SyncReport = SyncPlan & {
  dryRun: boolean;
  rowsWritten: number;
  statements: number;
  roundTrips: number;
  ms: number;
};

// The row's columns in bind order; notification_sent, counts and timestamps keep their defaults.
const COLUMNS = [
  'id',
  'slug',
  'content_type',
  'title',
  'description',
  'content_preview',
  'content_url',
  'publish_date',
  'file_path',
  'content_hash',
  'tags',
] as const;
const UPDATED = COLUMNS.filter((c) => c !== 'id' && c !== 'slug');
// Columns whose difference makes a row worth rewriting; the hash covers what an email shows.
const COMPARED = ['content_hash', 'content_url', 'file_path', 'content_type'] as const;

export const MAX_PARAMS = 100; // D1's limit of bound parameters per statement
export const ROWS_PER_STATEMENT = Math.floor(MAX_PARAMS / COLUMNS.length);

const UPSERT_TAIL =
  ` ON CONFLICT(slug) DO UPDATE SET ${UPDATED.map((c) => `${c} = excluded.${c}`).join(', ')},` +
  ' updated_at = unixepoch()' +
  // An unchanged row is no write at all, even if a racing build sent it too.
  ` WHERE ${COMPARED.map((c) => `content_items.${c} IS NOT excluded.${c}`).join(' OR ')}`;

/** Multi-row upserts of at most ROWS_PER_STATEMENT rows each (≤ 100 bound parameters). */
export function upsertStatements(records: ContentRecord[], makeId: () => string = newId): Statement[] {
  const statements: Statement[] = [];
  for (let i = 0; i < records.length; i += ROWS_PER_STATEMENT) {
    const chunk = records.slice(i, i + ROWS_PER_STATEMENT);
    const tuple = `(${COLUMNS.map(() => '?').join(', ')})`;
    statements.push({
      sql: `INSERT INTO content_items (${COLUMNS.join(', ')}) VALUES ${chunk.map(() => tuple).join(', ')}${UPSERT_TAIL}`,
      params: chunk.flatMap((r) => [
        makeId(),
        r.slug,
        r.contentType,
        r.title,
        r.description,
        r.contentPreview,
        r.contentUrl,
        r.publishDate,
        r.filePath,
        r.contentHash,
        JSON.stringify(r.tags),
      ]),
    });
  }
  return statements;
}

export const EXISTING_SQL =
  'SELECT slug, content_type, content_hash, content_url, file_path FROM content_items';

/** Compare the build with what D1 holds. `watched` are the collection names and content types in scope. */
export function planSync(
  existing: ExistingRow[],
  records: ContentRecord[],
  watched: { collections: string[]; types: string[] },
): SyncPlan {
  const bySlug = new Map(existing.map((row) => [row.slug, row]));
  const plan: SyncPlan = { added: [], changed: [], unchanged: 0, removed: [] };
  for (const r of records) {
    const row = bySlug.get(r.slug);
    if (!row) plan.added.push(r);
    else if (
      row.content_hash !== r.contentHash ||
      row.content_url !== r.contentUrl ||
      row.file_path !== r.filePath ||
      row.content_type !== r.contentType
    )
      plan.changed.push(r);
    else plan.unchanged++;
  }
  const built = new Set(records.map((r) => r.slug));
  const collections = new Set(watched.collections);
  const types = new Set(watched.types);
  for (const row of existing) {
    const collection = row.slug.slice(0, row.slug.indexOf('/'));
    if (!built.has(row.slug) && (types.has(row.content_type) || collections.has(collection))) {
      plan.removed.push(row.slug);
    }
  }
  plan.removed.sort();
  return plan;
}

/** A database that was never migrated has no content_items: say how to fix it. */
function explainReadError(err: unknown): never {
  const message = err instanceof Error ? err.message : String(err);
  if (/no such table:?\s*content_items/i.test(message)) {
    throw new AstroError(
      'The database has no content_items table: its migrations have not been applied.',
      'Run `npm run db:migrate` (wrangler d1 migrations apply DB --local), or with --remote for the remote database, then build again.',
    );
  }
  throw err;
}

/**
 * Read what D1 holds (one query), plan, then write only new and changed rows in one batch
 * (one transaction: a failed sync leaves content_items as it was).
 */
export async function syncContent(
  db: SqlExecutor,
  records: ContentRecord[],
  watched: { collections: string[]; types: string[] },
  options: { dryRun?: boolean; now?: () => number } = {},
): Promise<SyncReport> {
  const now = options.now ?? (() => performance.now());
  const started = now();
  const tripsBefore = db.roundTrips;
  const existing = await db.query<ExistingRow>({ sql: EXISTING_SQL, params: [] }).catch(explainReadError);
  const plan = planSync(existing, records, watched);
  const writes = upsertStatements([...plan.added, ...plan.changed]);
  let rowsWritten = 0;
  if (!options.dryRun && writes.length > 0) {
    const changes = await db.batch(writes);
    rowsWritten = changes.reduce((a, b) => a + b, 0);
  }
  return {
    ...plan,
    dryRun: options.dryRun === true,
    rowsWritten,
    statements: options.dryRun ? 0 : writes.length,
    roundTrips: db.roundTrips - tripsBefore,
    ms: Math.round(now() - started),
  };
}

/** `content: 3 new, 1 changed, 120 unchanged, 0 removed (42 ms)` */
export function summaryLine(report: SyncReport): string {
  const label = report.dryRun ? 'content (dry run, nothing written)' : 'content';
  return (
    `${label}: ${report.added.length} new, ${report.changed.length} changed, ` +
    `${report.unchanged} unchanged, ${report.removed.length} removed (${report.ms} ms)`
  );
}

/** The lines before the summary: one per new entry, one per removed slug. */
export function detailLines(report: SyncReport): string[] {
  const day = (s: number) => new Date(s * 1000).toISOString().slice(0, 10);
  return [
    ...report.added.map((r) => `${report.dryRun ? 'would add' : 'new'}: ${r.slug} "${r.title}" (${day(r.publishDate)})`),
    ...report.changed.map((r) => `${report.dryRun ? 'would update' : 'changed'}: ${r.slug}`),
    ...report.removed.map((s) => `removed from the site (row kept in D1): ${s}`),
  ];
}
