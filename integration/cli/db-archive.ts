/**
 * `npx astro-d1-notify db:archive [--months 6] [--batch-size 1000] [--prune-previews] [--remote]`:
 * moves history older than N months to email_notification_history_archive, one transaction
 * per batch (db/content/archive.ts), printing progress and a summary.
 */
import { archiveHistory, DEFAULT_ARCHIVE_BATCH_ROWS, DEFAULT_ARCHIVE_MONTHS, MAX_ARCHIVE_BATCH_ROWS, PREVIEW_RETENTION_MONTHS } from '../../db/content/archive';
import { intFlag, parseFlags, resolveCliTarget, withTarget, type CommandContext } from './db-target';

export async function archiveCommand(args: readonly string[], ctx: CommandContext, now = new Date()): Promise<number> {
  const flags = parseFlags(args, {
    months: { type: 'string' },
    'batch-size': { type: 'string' },
    'prune-previews': { type: 'boolean' },
    json: { type: 'boolean' },
  });
  const months = intFlag(flags.months, 'months', DEFAULT_ARCHIVE_MONTHS, 1, 1200);
  const batchRows = intFlag(flags['batch-size'], 'batch-size', DEFAULT_ARCHIVE_BATCH_ROWS, 1, MAX_ARCHIVE_BATCH_ROWS);
  const target = resolveCliTarget(flags, ctx.env, ctx.root);
  const summary = await withTarget(target, (db) =>
    archiveHistory(db, {
      months,
      batchRows,
      now,
      prunePreviews: flags['prune-previews'] === true,
      onBatch: flags.json ? undefined : (p) => ctx.log(`  batch ${p.batch}: ${p.moved}/${p.total} rows moved (${p.ms.toFixed(0)} ms)`),
    }),
  );
  if (flags.json) ctx.log(JSON.stringify(summary, null, 2));
  else {
    ctx.log(
      `Archive on ${target.label}: moved ${summary.moved} of ${summary.eligible} history row(s) older than ${summary.cutoff} ` +
        `in ${summary.batches} batch(es) of ≤ ${batchRows} rows (${summary.statementsPerBatch} statements each), ${summary.durationMs} ms.`,
    );
    if (summary.previewsPruned !== undefined)
      ctx.log(`Pruned the preview of ${summary.previewsPruned} content item(s) older than ${PREVIEW_RETENTION_MONTHS} months.`);
  }
  return 0;
}
