/**
 * The build's writes to content_items (integration/registry/sync.ts plans them): multi-row upserts
 * of at most D1's bound parameters, what D1 holds, the baseline, and a write that changes
 * content_items all at once or not at all, on any MeteredSqlRunner (the local binding, the HTTP API).
 */
import { newId } from '../crypto';
import { D1_MAX_PARAMS } from '../params';
import type { ContentType } from '../schema/columns';
import type { MeteredSqlRunner, SqlStatement } from '../sql-runner';

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
export function upsertStatements(records: ContentRecord[], makeId: () => string = newId, table = 'content_items', tail = UPSERT_TAIL): SqlStatement[] {
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

/** What the sync compares with the build: one row per entry D1 holds. */
export type ExistingRow = {
  slug: string;
  content_type: string;
  content_hash: string | null;
  content_url: string | null;
  file_path: string;
};

/** Every entry D1 holds (one query). */
export const readExistingContent = (db: MeteredSqlRunner): Promise<ExistingRow[]> =>
  db.query<ExistingRow>({ sql: 'SELECT slug, content_type, content_hash, content_url, file_path FROM content_items', params: [] });

/**
 * The baseline: everything already published counts as announced; future-dated entries wait.
 * "Published" is judged by the build's clock (`atSeconds`), the one that read the publish dates.
 */
/**
 * `approval: 'manual'`: the entries this build adds (their slugs) wait for the author, held until
 * "Send now" or "Schedule" in the console. Only rows new to D1: what an earlier build registered
 * keeps its state, so turning the option on makes nothing already known wait. With a baseline
 * (the build's clock) what is already published counts as announced and does not wait.
 */
export const awaitApprovalStatement = (slugs: string[], baselineAtSeconds: number | null): SqlStatement => ({
  sql:
    'UPDATE content_items SET awaiting_approval = 1, delivery_held = 1 WHERE notification_sent = 0 AND slug IN (SELECT value FROM json_each(?)) ' +
    'AND (? IS NULL OR publish_date > ?)',
  params: [JSON.stringify(slugs), baselineAtSeconds, baselineAtSeconds],
});

export const baselineStatement = (atSeconds: number): SqlStatement => ({
  sql: 'UPDATE content_items SET notification_sent = 1, updated_at = unixepoch() WHERE notification_sent = 0 AND publish_date <= ?',
  params: [atSeconds],
});

const size = (s: SqlStatement) => s.sql.length + JSON.stringify(s.params).length;

/** Groups of statements that each fit one batch of the target. */
function groupForBatches(statements: SqlStatement[], limits: MeteredSqlRunner['limits']): SqlStatement[][] {
  const groups: SqlStatement[][] = [];
  let group: SqlStatement[] = [];
  let bytes = 0;
  for (const s of statements) {
    if (group.length > 0 && (group.length >= limits.statements || bytes + size(s) > limits.bytes)) {
      groups.push(group);
      group = [];
      bytes = 0;
    }
    group.push(s);
    bytes += size(s);
  }
  if (group.length > 0) groups.push(group);
  return groups;
}

const sum = (xs: number[]) => xs.reduce((a, b) => a + b, 0);

/**
 * Write the rows so that content_items changes all at once or not at all.
 * Small writes are one batch (one transaction). A write too large for one batch is
 * loaded into a staging table over several batches, then applied to content_items by
 * one INSERT … SELECT in the last batch, so a failure anywhere before it changes nothing.
 */
export async function writeAtomically(
  db: MeteredSqlRunner,
  records: ContentRecord[],
  makeId: () => string = newId,
  /** Statements that must commit together with the rows (e.g. the baseline), run last. */
  after: SqlStatement[] = [],
): Promise<{ rowsWritten: number; statements: number; staged: boolean; afterChanges: number[] }> {
  if (records.length === 0) {
    const afterChanges = after.length > 0 ? await db.batch(after) : [];
    return { rowsWritten: 0, statements: after.length, staged: false, afterChanges };
  }
  const direct = upsertStatements(records, makeId);
  const groups = groupForBatches(direct, { ...db.limits, statements: db.limits.statements - after.length });
  if (groups.length === 1) {
    const changes = await db.batch([...direct, ...after]);
    return {
      rowsWritten: sum(changes.slice(0, direct.length)),
      statements: direct.length + after.length,
      staged: false,
      afterChanges: changes.slice(direct.length),
    };
  }

  // A name of our own, so two builds at once cannot share a staging table.
  const staging = `_content_sync_${makeId().replace(/[^A-Za-z0-9]/g, '_')}`;
  const load = upsertStatements(records, makeId, staging, '');
  const create: SqlStatement = {
    sql: `CREATE TABLE ${staging} (${COLUMNS.map((c) => `${c} ${c === 'publish_date' ? 'INTEGER' : 'TEXT'}`).join(', ')})`,
    params: [],
  };
  const apply: SqlStatement = {
    // `WHERE true` lets SQLite parse ON CONFLICT after a SELECT.
    sql: `INSERT INTO content_items (${COLUMNS.join(', ')}) SELECT ${COLUMNS.join(', ')} FROM ${staging} WHERE true${UPSERT_TAIL}`,
    params: [],
  };
  const drop: SqlStatement = { sql: `DROP TABLE IF EXISTS ${staging}`, params: [] };
  const batches = groupForBatches(load, { ...db.limits, statements: db.limits.statements - 1 });
  batches[0]!.unshift(create);
  let rowsWritten = 0;
  let afterChanges: number[] = [];
  try {
    for (const batch of batches) await db.batch(batch);
    const changes = await db.batch([apply, ...after, drop]);
    rowsWritten = changes[0] ?? 0;
    afterChanges = changes.slice(1, 1 + after.length);
  } catch (err) {
    await db.batch([drop]).catch(() => {}); // best effort; the error that matters is the first
    throw err;
  }
  return { rowsWritten, statements: load.length + 3 + after.length, staged: true, afterChanges };
}
