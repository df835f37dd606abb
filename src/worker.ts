// The Worker entry (wrangler `main`): Astro serves every request; the Cron Triggers in
// wrangler.jsonc run the notification processor (src/delivery/scheduled.ts), once a day
// housekeeping (src/delivery/housekeeping.ts) and once a week the integrity check
// (src/delivery/integrity-alert.ts).
import astro from '@astrojs/cloudflare/entrypoints/server';
import { createDb } from '../db/client';
import type { DeliveryEnv } from './delivery/deps';
import { HOUSEKEEPING_CRON, runHousekeeping } from './delivery/housekeeping';
import { INTEGRITY_CRON, runScheduledIntegrity } from './delivery/integrity-alert';
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
    if (controller.cron === INTEGRITY_CRON) {
      ctx.waitUntil(
        runScheduledIntegrity(env).then(({ report, ...summary }) =>
          console.log(JSON.stringify({ event: 'integrity_check', ...summary, findings: report.findings.map((f) => ({ check: f.check, count: f.count })) })),
        ),
      );
      return;
    }
    handleScheduled(controller, env, ctx).catch(() => {}); // already logged; waitUntil carries the failure
  },
};
