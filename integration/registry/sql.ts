import { newId } from '../../db/crypto';
import { D1_MAX_PARAMS } from '../../db/params';
import type { ContentType } from '../../db/schema/columns';

import type { SqlStatement } from '../../db/sql-runner';

// What the sync runs on is db/sql-runner.ts's MeteredSqlRunner: the local D1 binding and the HTTP API both provide it.
export type { BatchLimits, MeteredSqlRunner, SqlStatement, SqlValue } from '../../db/sql-runner';

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
  /** The email's body (integration/registry/email-body.ts); null for a `summary` collection. */
  emailHtml: string | null;
  emailText: string | null;
  author: string | null;
  heroImage: string | null;
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
  'email_html',
  'email_text',
  'author',
  'hero_image',
] as const;
const UPDATED = COLUMNS.filter((c) => c !== 'id' && c !== 'slug');
// Columns whose difference makes a row worth rewriting; the hash covers what an email shows.
const COMPARED = ['content_hash', 'content_url', 'file_path', 'content_type'] as const;

export const ROWS_PER_STATEMENT = Math.floor(D1_MAX_PARAMS / COLUMNS.length);
/** Email bodies are large: a statement also stops at this many bytes of values (D1's HTTP API takes 1 MB a request). */
export const VALUE_BYTES_PER_STATEMENT = 400_000;

const valueBytes = (r: ContentRecord) => (r.emailHtml?.length ?? 0) + (r.emailText?.length ?? 0) + (r.contentPreview?.length ?? 0) + 1_000;

/** Consecutive records, at most ROWS_PER_STATEMENT and about VALUE_BYTES_PER_STATEMENT each (one record always fits). */
function chunksOf(records: ContentRecord[]): ContentRecord[][] {
  const chunks: ContentRecord[][] = [];
  let chunk: ContentRecord[] = [];
  let bytes = 0;
  for (const r of records) {
    if (chunk.length > 0 && (chunk.length >= ROWS_PER_STATEMENT || bytes + valueBytes(r) > VALUE_BYTES_PER_STATEMENT)) {
      chunks.push(chunk);
      chunk = [];
      bytes = 0;
    }
    chunk.push(r);
    bytes += valueBytes(r);
  }
  if (chunk.length > 0) chunks.push(chunk);
  return chunks;
}

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
): SqlStatement[] {
  const statements: SqlStatement[] = [];
  for (const chunk of chunksOf(records)) {
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
        r.emailHtml,
        r.emailText,
        r.author,
        r.heroImage,
      ]),
    });
  }
  return statements;
}
