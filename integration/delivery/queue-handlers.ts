/**
 * Wiring for DELIVERY_MODE (docs/delivery.md "Delivery at scale"): which run the Cron Trigger and the
 * process route start, and the Worker's `queue` handler, which tells the delivery queue from
 * its dead-letter queue by name. Takes `env` as a parameter (no `cloudflare:workers` here).
 */
import { ConfigError } from './config';
import { buildDeliveryDeps, type DeliveryEnv } from './deps';
import { processNotifications, type DeliveryDeps, type RunSummary } from './processor';
import { consumeDeadLetters, consumeDeliveryBatch, type ConsumerSummary, type QueueMessage } from './queue-consumer';
import { fanOutAndDispatch, type DeliveryQueue, type DispatchSummary } from './queue-dispatch';
import type { Transport } from './transport';

/** The producer binding (wrangler `queues.producers[].binding`). */
export const DELIVERY_QUEUE_BINDING = 'DELIVERY_QUEUE';

export type Overrides = {
  transport?: Transport;
  settings?: Record<string, unknown>;
  /** Adjusts the built dependencies (tests: a short claim lease, a counting D1). */
  tune?: (deps: DeliveryDeps) => DeliveryDeps;
};

export function deliveryQueueOf(env: DeliveryEnv): DeliveryQueue {
  const queue = env[DELIVERY_QUEUE_BINDING] as Partial<DeliveryQueue> | undefined;
  if (!queue || typeof queue.sendBatch !== 'function') {
    throw new ConfigError(`DELIVERY_MODE is "queue" but the Worker has no ${DELIVERY_QUEUE_BINDING} queue producer binding (wrangler.jsonc "queues"; docs/delivery.md "Delivery at scale")`);
  }
  return queue as DeliveryQueue;
}

/** One delivery run as the mode says: `cron` sends here; `queue` fans out and enqueues for the consumers. */
export function runDelivery(deps: DeliveryDeps, env: DeliveryEnv): Promise<RunSummary | DispatchSummary> {
  if (deps.config.deliveryMode === 'queue') return fanOutAndDispatch(deps, deliveryQueueOf(env));
  return processNotifications(deps);
}

export type QueueBatch = { queue: string; messages: readonly QueueMessage[] };

export async function handleQueue(batch: QueueBatch, env: DeliveryEnv, overrides: Overrides = {}): Promise<ConsumerSummary | { failed: number; invalid: number }> {
  const built = buildDeliveryDeps(env, overrides);
  const deps = overrides.tune ? overrides.tune(built) : built;
  if (batch.queue === deps.config.deadLetterQueue) return consumeDeadLetters(deps, batch.messages);
  if (batch.queue === deps.config.deliveryQueue) return consumeDeliveryBatch(deps, batch.messages);
  throw new Error(`No consumer for queue "${batch.queue}" (DELIVERY_QUEUE_NAME is "${deps.config.deliveryQueue}", DELIVERY_DLQ_NAME "${deps.config.deadLetterQueue}")`);
}
