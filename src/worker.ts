// The Worker entry (wrangler `main`): Astro serves every request; the Cron Trigger in
// wrangler.jsonc runs the notification processor.
import astro from '@astrojs/cloudflare/entrypoints/server';
import { buildDeliveryDeps, type DeliveryEnv } from './delivery/deps';
import { processNotifications } from './delivery/processor';

export default {
  fetch: astro.fetch,
  async scheduled(controller: ScheduledController, env: DeliveryEnv, ctx: ExecutionContext) {
    const run = processNotifications(buildDeliveryDeps(env)).then(
      (summary) => console.log(JSON.stringify({ event: 'notifications_processed', cron: controller.cron, ...summary })),
      (error: unknown) => {
        console.error(JSON.stringify({ event: 'notifications_failed', cron: controller.cron, error: String(error) }));
        throw error; // the invocation shows as failed in the dashboard
      },
    );
    ctx.waitUntil(run);
  },
};
