// The Worker entry (wrangler `main`): Astro serves every request; the Cron Triggers in
// wrangler.jsonc run the notification processor (src/delivery/scheduled.ts), once a day
// housekeeping (src/delivery/housekeeping.ts) and once a week history archival and the
// integrity check (src/delivery/weekly-maintenance.ts).
import astro from '@astrojs/cloudflare/entrypoints/server';
import { createDb } from '../db/client';
import type { DeliveryEnv } from './delivery/deps';
import { HOUSEKEEPING_CRON, runHousekeeping } from './delivery/housekeeping';
import { handleScheduled } from './delivery/scheduled';
import { MAINTENANCE_CRON, runWeeklyMaintenance } from './delivery/weekly-maintenance';

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
    if (controller.cron === MAINTENANCE_CRON) {
      ctx.waitUntil(
        runWeeklyMaintenance(env).then(({ archive, integrity: { report, ...integrity } }) => {
          console.log(JSON.stringify({ event: 'history_archived', ...archive }));
          console.log(JSON.stringify({ event: 'integrity_check', ...integrity, findings: report.findings.map((f) => ({ check: f.check, count: f.count })) }));
        }),
      );
      return;
    }
    handleScheduled(controller, env, ctx).catch(() => {}); // already logged; waitUntil carries the failure
  },
};
