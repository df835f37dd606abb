/**
 * What a host's Worker entry (wrangler `main`) needs: Astro serves every request, and the Cron
 * Triggers run the notification processor, once a day housekeeping, and once a week history
 * archival and the integrity check (integration/delivery/weekly-maintenance.ts); the queue consumer
 * takes Cloudflare Email Service delivery events. A host's entry is one line:
 *
 *   export { default } from 'astro-d1-notify/worker';
 *
 * or, to add handlers of its own, spread `notifyHandlers` into its export.
 */
import astro from '@astrojs/cloudflare/entrypoints/server';
import { routeBase } from 'virtual:astro-d1-notify/config';
import { createDb } from '../db/client';
import type { DeliveryEnv } from './delivery/deps';
import { handleEmailEventsQueue } from './delivery/email-events-queue';
import { HOUSEKEEPING_CRON, runHousekeeping } from './delivery/housekeeping';
import { handleScheduled } from './delivery/scheduled';
import { MAINTENANCE_CRON, runWeeklyMaintenance } from './delivery/weekly-maintenance';

export { HOUSEKEEPING_CRON, MAINTENANCE_CRON };

/** The build's route base (Astro's base + prefix), so emailed links point where the pages are mounted. */
const withRouteBase = (env: DeliveryEnv): DeliveryEnv => ({ ...env, ROUTE_BASE: routeBase });

export async function scheduled(controller: ScheduledController, rawEnv: DeliveryEnv, ctx: ExecutionContext): Promise<void> {
  const env = withRouteBase(rawEnv);
  if (controller.cron === HOUSEKEEPING_CRON) {
    ctx.waitUntil(runHousekeeping(createDb(env.DB)).then((summary) => console.log(JSON.stringify({ event: 'housekeeping', ...summary }))));
    return;
  }
  if (controller.cron === MAINTENANCE_CRON) {
    ctx.waitUntil(
      runWeeklyMaintenance(env).then(({ archive, integrity: { report, ...integrity } }) => {
        console.log(JSON.stringify({ event: 'history_archived', ...archive }));
        console.log(JSON.stringify({ event: 'integrity_check', ...integrity, findings: report.findings.map((f) => ({ check: f.check, count: f.count })) }));
      }),
    );
    return;
  }
  await handleScheduled(controller, env, ctx).catch(() => {}); // already logged; waitUntil carries the failure
}

/** Queue consumers: Cloudflare Email Service delivery events (README "Bounces and complaints"). */
export async function queue(batch: MessageBatch<unknown>, env: DeliveryEnv): Promise<void> {
  await handleEmailEventsQueue(batch, withRouteBase(env));
}

/** The product's handlers, for a host that composes its own Worker export. */
export const notifyHandlers = { scheduled, queue };

export default { fetch: astro.fetch, scheduled, queue } satisfies ExportedHandler<DeliveryEnv>;
