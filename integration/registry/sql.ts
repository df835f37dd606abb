import { newId } from '../../db/crypto';
import { D1_MAX_PARAMS } from '../../db/params';
import type { ContentType } from '../../db/schema/columns';

export type SqlValue = string | number | null;
export type Statement = { sql: string; params: SqlValue[] };

/** What the sync needs from a database: the local D1 binding and the HTTP API both provide it. */
export interface SqlExecutor {
  /** One read statement; rows as objects. */
  query<T = Record<string, unknown>>(statement: Statement): Promise<T[]>;
  /** Write statements as one transaction (a D1 batch); rows changed per statement. */
  batch(statements: Statement[]): Promise<number[]>;
  /** Requests made so far (one per query or batch). */
  readonly roundTrips: number;
  /** The largest batch this target runs in one go. */
  readonly limits: BatchLimits;
}

export type BatchLimits = { statements: number; bytes: number };

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

// The row's columns in bind order; notification_sent, counts and timestamps keep their defaults.
export const COLUMNS = [
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

export const ROWS_PER_STATEMENT = Math.floor(D1_MAX_PARAMS / COLUMNS.length);

export const UPSERT_TAIL =
  ` ON CONFLICT(slug) DO UPDATE SET ${UPDATED.map((c) => `${c} = excluded.${c}`).join(', ')},` +
  ' updated_at = unixepoch()' +
  // An unchanged row is no write at all, even if a racing build sent it too.
  ` WHERE ${COMPARED.map((c) => `content_items.${c} IS NOT excluded.${c}`).join(' OR ')}`;

/**
 * Multi-row inserts of at most ROWS_PER_STATEMENT rows each (≤ 100 bound parameters):
 * upserts into content_items by default, plain inserts into a staging table with `tail: ''`.
 */
export function upsertStatements(
  records: ContentRecord[],
  makeId: () => string = newId,
  table = 'content_items',
  tail = UPSERT_TAIL,
): Statement[] {
  const statements: Statement[] = [];
  for (let i = 0; i < records.length; i += ROWS_PER_STATEMENT) {
    const chunk = records.slice(i, i + ROWS_PER_STATEMENT);
    const tuple = `(${COLUMNS.map(() => '?').join(', ')})`;
    statements.push({
      sql: `INSERT INTO ${table} (${COLUMNS.join(', ')}) VALUES ${chunk.map(() => tuple).join(', ')}${tail}`,
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
