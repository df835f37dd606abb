/**
 * The Cron Trigger's handler (run by `scheduled` in integration/worker.ts): one processor run built from the
 * Worker's env, kept alive with waitUntil, its summary logged as one JSON line.
 */
import { buildDeliveryDeps, type DeliveryEnv } from './deps';
import type { RunSummary } from './processor';
import { runDelivery } from './queue-handlers';
import type { DispatchSummary } from './queue-dispatch';

export function handleScheduled(
  controller: Pick<ScheduledController, 'cron'>,
  env: DeliveryEnv,
  ctx: Pick<ExecutionContext, 'waitUntil'>,
  log: Pick<Console, 'log' | 'error'> = console,
): Promise<RunSummary | DispatchSummary> {
  // DELIVERY_MODE=queue: this run fans out and enqueues; queue consumers send (queue-handlers.ts).
  const run = (async () => runDelivery(buildDeliveryDeps(env), env))().then(
    (summary) => {
      log.log(JSON.stringify({ event: 'notifications_processed', cron: controller.cron, ...summary }));
      return summary;
    },
    (error: unknown) => {
      log.error(JSON.stringify({ event: 'notifications_failed', cron: controller.cron, error: String(error) }));
      throw error; // the invocation shows as failed in the dashboard
    },
  );
  ctx.waitUntil(run);
  return run;
}
