/**
 * What a host's Worker entry (wrangler `main`) needs: Astro serves every request, and the Cron
 * Triggers run the notification processor (with DELIVERY_MODE=queue: fan-out and dispatch), once a
 * day housekeeping, and once a week history archival and the integrity check
 * (integration/delivery/weekly-maintenance.ts); the `queue` handler consumes the delivery queue, its
 * dead-letter queue and Cloudflare Email Service delivery events. A host's entry is one line:
 *
 *   export { default } from 'astro-d1-notify/worker';
 *
 * or, to add handlers of its own, spread `notifyHandlers` into its export.
 */
import astro from '@astrojs/cloudflare/entrypoints/server';
import { createDb } from '../db/client';
import type { DeliveryEnv } from './delivery/deps';
import { HOUSEKEEPING_CRON, runHousekeeping } from './delivery/housekeeping';
import { handleQueue, type QueueBatch } from './delivery/queue-handlers';
import { handleScheduled } from './delivery/scheduled';
import { MAINTENANCE_CRON, runWeeklyMaintenance } from './delivery/weekly-maintenance';
import { withRouteBase } from './runtime';

// Only handlers are exported: workerd refuses a main module whose named export is not one (a cron string was).

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

/**
 * Queue consumers, chosen by what each message is (integration/delivery/queue-handlers.ts): delivery
 * messages (DELIVERY_MODE=queue, docs/delivery.md "Delivery at scale"), Cloudflare Email Service delivery
 * events (docs/delivery.md "Bounces and complaints"); the dead-letter queue by its name, DELIVERY_DLQ_NAME.
 */
export async function queue(batch: MessageBatch<unknown>, rawEnv: DeliveryEnv, _ctx?: ExecutionContext): Promise<void> {
  const report = await handleQueue(batch as QueueBatch, withRouteBase(rawEnv));
  if (report.delivery || report.deadLetters || report.refused > 0) console.log(JSON.stringify({ event: 'queue_batch', ...report }));
}

/** The product's handlers, for a host that composes its own Worker export. */
export const notifyHandlers = { scheduled, queue };

export default { fetch: astro.fetch, scheduled, queue } satisfies ExportedHandler<DeliveryEnv>;
