/**
 * Archival benchmark (issue 13): `archiveHistory` (db/content/archive.ts) moving 100,000 history rows
 * older than 6 months to the archive on local D1, per batch size: total time, time per batch
 * and what each batch costs against D1's limits (statements, bound parameters, SQL bytes,
 * queries per invocation). For reference, the original system's way: all rows in one INSERT … SELECT and
 * one DELETE (one transaction, unbounded). Medians of RUNS runs after one warm-up; history is
 * re-seeded between runs.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { archiveBatchStatements, archiveHistory, monthsBefore, STATEMENTS_PER_BATCH } from '../db/content/archive';
import { d1Runner, type SqlRunner } from '../db/sql-runner';
import { createTestD1 } from '../test/helpers/d1';
import { seedHistoryStatement } from '../test/helpers/history';

const ROWS = 100_000;
const BATCH_SIZES = [500, 1_000, 2_000, 5_000];
const RUNS = 3;
const NOW = new Date('2026-11-30T12:00:00Z');
const D1_LIMITS = { paramsPerStatement: 100, bytesPerStatement: 100_000, queriesPerInvocation: 1_000 };
const RESULTS_FILE = join(import.meta.dirname, 'results', 'archive.json');

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
};
const round = (x: number, digits = 1) => Number(x.toFixed(digits));

async function reseed(db: SqlRunner): Promise<void> {
  await db.batch([
    { sql: 'DELETE FROM email_notification_history_archive', params: [] },
    { sql: 'DELETE FROM email_notification_history', params: [] },
  ]);
  // One row a minute from 12 months back: every row is older than the 6-month cutoff.
  await db.batch([seedHistoryStatement({ count: ROWS, userId: 'bench-user', prefix: 'h', start: monthsBefore(NOW, 12), step: 60 })]);
}

export async function run() {
  const t = await createTestD1();
  const db = d1Runner(t.d1);
  try {
    await t.d1.prepare("INSERT INTO users (id, email) VALUES ('bench-user', 'bench@example.com')").run();
    const sizes = [];
    for (const batchRows of BATCH_SIZES) {
      const totals: number[] = [];
      const perBatch: number[] = [];
      let batches = 0;
      for (let i = 0; i <= RUNS; i++) {
        await reseed(db);
        const batchMs: number[] = [];
        const summary = await archiveHistory(db, { now: NOW, batchRows, onBatch: (p) => batchMs.push(p.ms) });
        if (summary.moved !== ROWS) throw new Error(`moved ${summary.moved}, expected ${ROWS}`);
        if (i === 0) continue; // warm-up
        totals.push(summary.durationMs);
        perBatch.push(median(batchMs));
        batches = summary.batches;
      }
      const statements = archiveBatchStatements(0, batchRows);
      const row = {
        batch_rows: batchRows,
        batches,
        statements_per_batch: STATEMENTS_PER_BATCH,
        bound_params_per_statement: Math.max(...statements.map((s) => s.params.length)),
        sql_bytes_per_statement: Math.max(...statements.map((s) => new TextEncoder().encode(s.sql).length)),
        // The eligibility count, the batches, and the final count when a run stops early.
        queries_total: 1 + batches * STATEMENTS_PER_BATCH,
        total_ms: round(median(totals)),
        rows_per_s: Math.round(ROWS / (median(totals) / 1000)),
        batch_ms_median: round(median(perBatch), 2),
        samples_total_ms: totals,
      };
      if (row.bound_params_per_statement > D1_LIMITS.paramsPerStatement || row.sql_bytes_per_statement > D1_LIMITS.bytesPerStatement)
        throw new Error('a statement is over D1 limits');
      sizes.push({ ...row, within_1000_queries_per_invocation: row.queries_total <= D1_LIMITS.queriesPerInvocation });
      console.log(
        `batch ${String(batchRows).padStart(5)}: ${batches} batches, ${row.total_ms} ms total (${row.rows_per_s} rows/s), ${row.batch_ms_median} ms per batch, ${row.queries_total} queries`,
      );
    }

    // The spec's two unbounded statements in one transaction, for reference.
    const single: number[] = [];
    for (let i = 0; i <= RUNS; i++) {
      await reseed(db);
      const started = performance.now();
      const cutoff = monthsBefore(NOW, 6);
      const cols = 'id, notification_id, user_id, action, details, error_code, retry_attempt, ip_address, user_agent, timestamp';
      await db.batch([
        {
          sql: `INSERT INTO email_notification_history_archive (${cols}) SELECT ${cols} FROM email_notification_history WHERE timestamp < ?`,
          params: [cutoff],
        },
        { sql: 'DELETE FROM email_notification_history WHERE timestamp < ?', params: [cutoff] },
      ]);
      if (i > 0) single.push(round(performance.now() - started));
    }
    console.log(`one transaction (spec): ${round(median(single))} ms`);

    const result = {
      name: 'archive',
      rows: ROWS,
      runs: RUNS,
      node: process.version,
      measured_at: new Date().toISOString(),
      d1_limits: D1_LIMITS,
      notes:
        "archiveHistory on local D1 (wrangler getPlatformProxy): per batch one D1 batch of INSERT … SELECT into the archive and DELETE of the same rows (chosen by the same rowid subquery through idx_email_history_timestamp). total_ms includes the eligibility count; ms are medians after one warm-up. single_transaction_ms = the original system's unbounded INSERT … SELECT + DELETE of all rows in one batch (no progress, one long write). Shared 2-core machine: times vary with load.",
      sizes,
      single_transaction_ms: round(median(single)),
      single_transaction_samples_ms: single,
    };
    mkdirSync(join(import.meta.dirname, 'results'), { recursive: true });
    writeFileSync(RESULTS_FILE, `${JSON.stringify(result, null, 2)}\n`);
    return result;
  } finally {
    await t.dispose();
  }
}
