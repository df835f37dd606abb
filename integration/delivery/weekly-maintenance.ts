/**
 * The weekly maintenance Cron Trigger (dispatched by `scheduled` in integration/worker.ts): archival of history older than
 * 6 months (the spec's monthly archival, here weekly in bounded steps), then the integrity
 * check, which mails ADMIN_EMAIL when it finds something (integrity-alert.ts).
 */
import { archiveHistory, type ArchiveSummary } from '../../db/content/archive';
import { d1Runner } from '../../db/sql-runner';
import type { DeliveryEnv } from './deps';
import { INTEGRITY_CRON, runScheduledIntegrity, type IntegrityRun } from './integrity-alert';
import type { Transport } from './transport';

export const MAINTENANCE_CRON = INTEGRITY_CRON;

/**
 * Archive batches per run: 2 queries each plus 1 count is 801 of the 1,000 queries a Worker
 * invocation may make, leaving room for the integrity check's 7. 400 × 1,000 rows a week;
 * a backlog larger than that shrinks week by week, or at once with `npx astro-d1-notify db:archive --remote`.
 */
export const CRON_ARCHIVE_MAX_BATCHES = 400;

export type WeeklyMaintenance = { archive: ArchiveSummary | { error: string }; integrity: IntegrityRun };

export async function runWeeklyMaintenance(env: DeliveryEnv, options: { transport?: Transport; now?: Date } = {}): Promise<WeeklyMaintenance> {
  // An archive failure (its batch rolled back) must not cost the week's integrity check.
  const archive = await archiveHistory(d1Runner(env.DB), { now: options.now, maxBatches: CRON_ARCHIVE_MAX_BATCHES }).catch((error: unknown) => ({
    error: error instanceof Error ? error.message : String(error),
  }));
  const integrity = await runScheduledIntegrity(env, options);
  return { archive, integrity };
}
