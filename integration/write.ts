import { newId } from '../db/crypto';
import { COLUMNS, upsertStatements, UPSERT_TAIL, type ContentRecord, type SqlExecutor, type Statement } from './sql';

const size = (s: Statement) => s.sql.length + JSON.stringify(s.params).length;

/** Groups of statements that each fit one batch of the target. */
export function groupForBatches(statements: Statement[], limits: SqlExecutor['limits']): Statement[][] {
  const groups: Statement[][] = [];
  let group: Statement[] = [];
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
  db: SqlExecutor,
  records: ContentRecord[],
  makeId: () => string = newId,
): Promise<{ rowsWritten: number; statements: number; staged: boolean }> {
  if (records.length === 0) return { rowsWritten: 0, statements: 0, staged: false };
  const direct = upsertStatements(records, makeId);
  const groups = groupForBatches(direct, db.limits);
  if (groups.length === 1) {
    return { rowsWritten: sum(await db.batch(direct)), statements: direct.length, staged: false };
  }

  // A name of our own, so two builds at once cannot share a staging table.
  const staging = `_content_sync_${makeId().replace(/[^A-Za-z0-9]/g, '_')}`;
  const load = upsertStatements(records, makeId, staging, '');
  const create: Statement = {
    sql: `CREATE TABLE ${staging} (${COLUMNS.map((c) => `${c} ${c === 'publish_date' ? 'INTEGER' : 'TEXT'}`).join(', ')})`,
    params: [],
  };
  const apply: Statement = {
    // `WHERE true` lets SQLite parse ON CONFLICT after a SELECT.
    sql: `INSERT INTO content_items (${COLUMNS.join(', ')}) SELECT ${COLUMNS.join(', ')} FROM ${staging} WHERE true${UPSERT_TAIL}`,
    params: [],
  };
  const drop: Statement = { sql: `DROP TABLE IF EXISTS ${staging}`, params: [] };
  const batches = groupForBatches(load, { ...db.limits, statements: db.limits.statements - 1 });
  batches[0]!.unshift(create);
  let rowsWritten = 0;
  try {
    for (const batch of batches) await db.batch(batch);
    rowsWritten = (await db.batch([apply, drop]))[0] ?? 0;
  } catch (err) {
    await db.batch([drop]).catch(() => {}); // best effort; the error that matters is the first
    throw err;
  }
  return { rowsWritten, statements: load.length + 3, staged: true };
}
