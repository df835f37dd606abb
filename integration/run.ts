import type { AstroIntegrationLogger } from 'astro';
import { collectRecords, emptyCollectionError, takeRegistry } from './collect';
import type { ResolvedOptions } from './options';
import { detailLines, summaryLine, syncContent, type SyncReport } from './sync';
import { openTarget, type Target } from './target';

/** The build-done step: registry → records → D1 → report. Returns the report for callers that want it. */
export async function registerContent(args: {
  dir: URL;
  options: ResolvedOptions;
  site: string;
  target: Target;
  logger: AstroIntegrationLogger;
}): Promise<SyncReport> {
  const { options, logger } = args;
  const started = performance.now();
  const registry = takeRegistry(args.dir);
  const { records, drafts, emptyCollections } = await collectRecords(registry, options.collections, args.site);
  if (emptyCollections.length > 0) {
    const error = emptyCollectionError(emptyCollections);
    if (options.explicitCollections) throw error;
    logger.warn(`${error.message} ${error.hint ?? ''}`.trim());
  }
  const { db, dispose } = await openTarget(args.target);
  let report: SyncReport;
  try {
    report = await syncContent(
      db,
      records,
      { collections: options.collections.map((c) => c.name), types: [...new Set(options.collections.map((c) => c.type))] },
      { dryRun: options.dryRun },
    );
  } finally {
    await dispose();
  }
  // The summary times the whole step (collect, hash, open, sync), not just the SQL.
  report.ms = Math.round(performance.now() - started);
  for (const line of detailLines(report)) logger.info(line);
  logger.info(summaryLine(report));
  logger.debug(
    `${args.target.label}: ${drafts} drafts skipped, ${report.rowsWritten} rows written in ${report.statements} statements, ${report.roundTrips} round trips`,
  );
  return report;
}
