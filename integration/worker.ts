/**
 * What a host's Worker entry (wrangler `main`) needs: Astro serves every request, and the Cron
 * Triggers run the notification processor and, once a day, housekeeping; with DELIVERY_MODE=queue the
 * `queue` handler consumes the delivery queue and its dead-letter queue. A host's entry is one line:
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

export { HOUSEKEEPING_CRON };

export async function scheduled(controller: ScheduledController, env: DeliveryEnv, ctx: ExecutionContext): Promise<void> {
  if (controller.cron === HOUSEKEEPING_CRON) {
    ctx.waitUntil(runHousekeeping(createDb(env.DB)).then((summary) => console.log(JSON.stringify({ event: 'housekeeping', ...summary }))));
    return;
  }
  await handleScheduled(controller, env, ctx).catch(() => {}); // already logged; waitUntil carries the failure
}

/** DELIVERY_MODE=queue: the delivery queue's and its dead-letter queue's consumer (told apart by queue name). */
export async function queue(batch: MessageBatch<unknown>, env: DeliveryEnv, _ctx: ExecutionContext): Promise<void> {
  const summary = await handleQueue(batch as QueueBatch, env);
  console.log(JSON.stringify({ event: 'queue_batch', queue: batch.queue, ...summary }));
}

/** The product's handlers, for a host that composes its own Worker export. */
export const notifyHandlers = { scheduled, queue };

export default { fetch: astro.fetch, scheduled, queue } satisfies ExportedHandler<DeliveryEnv>;
