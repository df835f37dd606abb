// The Worker entry (wrangler `main`): Astro serves every request; the Cron Triggers in
// wrangler.jsonc run the notification processor (src/delivery/scheduled.ts) and, once a
// day, housekeeping (src/delivery/housekeeping.ts); the queue consumer takes Cloudflare Email
// Service delivery events (src/delivery/email-events-queue.ts).
import astro from '@astrojs/cloudflare/entrypoints/server';
import { createDb } from '../db/client';
import type { DeliveryEnv } from './delivery/deps';
import { handleEmailEventsQueue } from './delivery/email-events-queue';
import { HOUSEKEEPING_CRON, runHousekeeping } from './delivery/housekeeping';
import { handleScheduled } from './delivery/scheduled';

export default {
  fetch: astro.fetch,
  async scheduled(controller: ScheduledController, env: DeliveryEnv, ctx: ExecutionContext) {
    if (controller.cron === HOUSEKEEPING_CRON) {
      ctx.waitUntil(
        runHousekeeping(createDb(env.DB)).then((summary) =>
          console.log(JSON.stringify({ event: 'housekeeping', ...summary })),
        ),
      );
      return;
    }
    handleScheduled(controller, env, ctx).catch(() => {}); // already logged; waitUntil carries the failure
  },
  // Cloudflare Email Service delivery events (a Queues event subscription; README "Bounces and complaints").
  async queue(batch: MessageBatch<unknown>, env: DeliveryEnv) {
    await handleEmailEventsQueue(batch, env);
  },
};
