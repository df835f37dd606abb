import type { AstroIntegrationLogger } from 'astro';
import { collectRecords, emptyCollectionError, takeRegistry } from './collect';
import type { ResolvedOptions } from '../options';
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
  const elapsed = () => Math.round(performance.now() - started);
  // Starting the local D1 (workerd) takes about a second: let it start while the entries are hashed.
  const opening = openTarget(args.target).then((opened) => ({ opened, at: elapsed() }));
  opening.catch(() => {}); // awaited below; a failure here must not be an unhandled rejection meanwhile
  let collected: Awaited<ReturnType<typeof collectRecords>>;
  try {
    const registry = takeRegistry(args.dir);
    collected = await collectRecords(registry, options.collections, args.site, options.fields, options.siteName);
    if (collected.emptyCollections.length > 0) {
      const error = emptyCollectionError(collected.emptyCollections);
      if (options.explicitCollections) throw error;
      logger.warn(`${error.message} ${error.hint ?? ''}`.trim());
    }
  } catch (err) {
    await opening.then(({ opened }) => opened.dispose()).catch(() => {});
    throw err;
  }
  const collectedAt = elapsed();
  const { opened, at: openedAt } = await opening;
  let report: SyncReport;
  try {
    report = await syncContent(
      opened.db,
      collected.records,
      { collections: options.collections.map((c) => c.name), types: [...new Set(options.collections.map((c) => c.type))] },
      { dryRun: options.dryRun, baseline: options.baseline, approval: options.approval },
    );
  } finally {
    await opened.dispose();
  }
  // The summary times the whole step (collect, hash, open, sync), not just the SQL.
  report.ms = elapsed();
  report.drafts = collected.drafts;
  for (const line of detailLines(report)) logger.info(line);
  logger.info(summaryLine(report));
  logger.debug(
    `${args.target.label}: collected in ${collectedAt} ms, database open at ${openedAt} ms; ` +
      `${report.rowsWritten} rows written in ${report.statements} statements${report.staged ? ' (staged)' : ''}, ${report.roundTrips} round trips`,
  );
  return report;
}
