import { newId } from '../../db/crypto';
import { COLUMNS, upsertStatements, UPSERT_TAIL, type ContentRecord, type MeteredSqlRunner, type SqlStatement } from './sql';

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
