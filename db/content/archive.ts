/**
 * History archival (the spec's "Email History Archival"): rows of email_notification_history
 * older than N months move to email_notification_history_archive in batches. A batch is one
 * D1 batch (one transaction) of two statements over the same rows, so a row is either still
 * in history or already in the archive, never both and never neither.
 */
import { stmt, type SqlRunner, type SqlStatement } from '../sql-runner';

export const DEFAULT_ARCHIVE_MONTHS = 6;
/** Rows per batch: two statements of 2 bound parameters each, far inside D1's per-statement limits. */
export const DEFAULT_ARCHIVE_BATCH_ROWS = 1_000;
export const MAX_ARCHIVE_BATCH_ROWS = 10_000;
/** Content previews are pruned once the entry is this old (the spec's "Content Retention Policy"). */
export const PREVIEW_RETENTION_MONTHS = 12;
export const STATEMENTS_PER_BATCH = 2;

const HISTORY = 'email_notification_history';
const ARCHIVE = 'email_notification_history_archive';
const COLUMNS = 'id, notification_id, user_id, action, details, error_code, retry_attempt, ip_address, user_agent, timestamp';

/** `months` calendar months before `now` (UTC), in Unix seconds; 30 Nov − 9 months is 28 Feb, not 2 Mar. */
export function monthsBefore(now: Date, months: number): number {
  const d = new Date(now.getTime());
  const day = d.getUTCDate();
  d.setUTCDate(1);
  d.setUTCMonth(d.getUTCMonth() - months);
  const lastDay = new Date(Date.UTC(d.getUTCFullYear(), d.getUTCMonth() + 1, 0)).getUTCDate();
  d.setUTCDate(Math.min(day, lastDay));
  return Math.floor(d.getTime() / 1000);
}

/**
 * One batch: the oldest `rows` rows before the cutoff, chosen by the same subquery in both
 * statements (through idx_email_history_timestamp, whose entries are ordered by timestamp then
 * rowid), so the DELETE removes exactly what the INSERT copied.
 */
export function archiveBatchStatements(cutoffSeconds: number, rows: number): SqlStatement[] {
  const chosen = `SELECT rowid FROM ${HISTORY} WHERE timestamp < ? ORDER BY timestamp, rowid LIMIT ?`;
  return [
    stmt(`INSERT INTO ${ARCHIVE} (${COLUMNS}) SELECT ${COLUMNS} FROM ${HISTORY} WHERE rowid IN (${chosen})`, cutoffSeconds, rows),
    stmt(`DELETE FROM ${HISTORY} WHERE rowid IN (${chosen})`, cutoffSeconds, rows),
  ];
}

/** Clears content_preview of notified entries published before the cutoff. */
export function prunePreviewsStatement(cutoffSeconds: number): SqlStatement {
  // content_hash stays: the build compares it to skip unchanged entries, so clearing it (as the
  // spec's query does) would make the next build rewrite every old entry, preview included.
  return stmt(
    `UPDATE content_items SET content_preview = NULL, updated_at = unixepoch()
     WHERE publish_date < ? AND notification_sent = 1 AND content_preview IS NOT NULL`,
    cutoffSeconds,
  );
}

export type ArchiveOptions = {
  months?: number;
  batchRows?: number;
  now?: Date;
  /** Stop after this many batches (a Worker has 1,000 queries per invocation; each batch is 2). */
  maxBatches?: number;
  prunePreviews?: boolean;
  onBatch?: (progress: { batch: number; moved: number; total: number; ms: number }) => void;
};

export type ArchiveSummary = {
  cutoff: string;
  /** Rows older than the cutoff when the run started. */
  eligible: number;
  moved: number;
  batches: number;
  statementsPerBatch: number;
  /** Rows left before the cutoff (0 unless maxBatches stopped the run). */
  remaining: number;
  previewsPruned?: number;
  durationMs: number;
};

export function checkArchiveOptions(o: Pick<ArchiveOptions, 'months' | 'batchRows'>): void {
  if (o.months !== undefined && (!Number.isInteger(o.months) || o.months < 1 || o.months > 1200)) {
    throw new RangeError('months must be a whole number from 1 to 1200');
  }
  if (o.batchRows !== undefined && (!Number.isInteger(o.batchRows) || o.batchRows < 1 || o.batchRows > MAX_ARCHIVE_BATCH_ROWS)) {
    throw new RangeError(`batch size must be a whole number from 1 to ${MAX_ARCHIVE_BATCH_ROWS}`);
  }
}

export async function archiveHistory(db: SqlRunner, options: ArchiveOptions = {}): Promise<ArchiveSummary> {
  checkArchiveOptions(options);
  const started = performance.now();
  const now = options.now ?? new Date();
  const rows = options.batchRows ?? DEFAULT_ARCHIVE_BATCH_ROWS;
  const cutoff = monthsBefore(now, options.months ?? DEFAULT_ARCHIVE_MONTHS);
  const countBefore = async () => Number((await db.query<{ n: number }>(stmt(`SELECT count(*) AS n FROM ${HISTORY} WHERE timestamp < ?`, cutoff)))[0]?.n ?? 0);
  const eligible = await countBefore();

  let moved = 0;
  let batches = 0;
  while (moved < eligible && (options.maxBatches === undefined || batches < options.maxBatches)) {
    const batchStarted = performance.now();
    const [copied = 0, deleted = 0] = await db.batch(archiveBatchStatements(cutoff, rows));
    if (copied !== deleted) throw new Error(`archive batch copied ${copied} rows but deleted ${deleted}`); // cannot happen: same subquery, one transaction
    if (deleted === 0) break;
    batches++;
    moved += deleted;
    options.onBatch?.({ batch: batches, moved, total: eligible, ms: performance.now() - batchStarted });
    if (deleted < rows) break;
  }

  let previewsPruned: number | undefined;
  if (options.prunePreviews) {
    [previewsPruned = 0] = await db.batch([prunePreviewsStatement(monthsBefore(now, PREVIEW_RETENTION_MONTHS))]);
  }
  return {
    cutoff: new Date(cutoff * 1000).toISOString(),
    eligible,
    moved,
    batches,
    statementsPerBatch: STATEMENTS_PER_BATCH,
    remaining: moved < eligible ? await countBefore() : 0,
    ...(previewsPruned !== undefined && { previewsPruned }),
    durationMs: Math.round(performance.now() - started),
  };
}
