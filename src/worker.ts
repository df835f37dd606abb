// The Worker entry (wrangler `main`): Astro serves every request; the Cron Trigger in
// wrangler.jsonc runs the notification processor (src/delivery/scheduled.ts).
import astro from '@astrojs/cloudflare/entrypoints/server';
import type { DeliveryEnv } from './delivery/deps';
import { handleScheduled } from './delivery/scheduled';

export default {
  fetch: astro.fetch,
  async scheduled(controller: ScheduledController, env: DeliveryEnv, ctx: ExecutionContext) {
    handleScheduled(controller, env, ctx).catch(() => {}); // already logged; waitUntil carries the failure
  },
};
