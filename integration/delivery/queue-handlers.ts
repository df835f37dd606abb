/**
 * Wiring for DELIVERY_MODE (docs/delivery.md "Delivery at scale"): which run the Cron Trigger and the
 * process route start, and the Worker's `queue` handler, which routes each message by its shape
 * (the dead-letter queue alone by name). Takes `env` as a parameter (no `cloudflare:workers` here).
 */
import { ConfigError, readSettingsNamed } from './config';
import { buildDeliveryDeps, type DeliveryEnv } from './deps';
import { processNotifications, type DeliveryDeps, type RunSummary } from './processor';
import { handleEmailEventsQueue, isEmailServiceEvent } from './providers/cloudflare/events';
import { consumeDeadLetters, consumeDeliveryBatch, isDeliveryShaped, type ConsumerSummary, type QueueMessage } from './queue-consumer';
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
    throw new ConfigError(
      `DELIVERY_MODE is "queue" but the Worker has no ${DELIVERY_QUEUE_BINDING} queue producer binding ` +
        '(wrangler.jsonc "queues"; docs/delivery.md "Delivery at scale")',
    );
  }
  return queue as DeliveryQueue;
}

/** One delivery run as the mode says: `cron` sends here; `queue` fans out and enqueues for the consumers. */
export function runDelivery(deps: DeliveryDeps, env: DeliveryEnv): Promise<RunSummary | DispatchSummary> {
  if (deps.config.deliveryMode === 'queue') return fanOutAndDispatch(deps, deliveryQueueOf(env));
  return processNotifications(deps);
}

export type QueueBatch = { queue: string; messages: readonly QueueMessage[] };
export type Log = Pick<Console, 'log' | 'warn' | 'error'>;
export type QueueReport = {
  queue: string;
  delivery?: ConsumerSummary;
  deadLetters?: { failed: number; invalid: number };
  emailEvents?: number;
  /** Messages that fit no handler: logged as errors and retried (they end in the queue's DLQ, if it has one). */
  refused: number;
};

/** What a message is, by its shape: a delivery message, a Cloudflare Email Service event, or neither. */
export type MessageKind = 'delivery' | 'email-event' | 'unknown';
export const messageKind = (body: unknown): MessageKind => (isDeliveryShaped(body) ? 'delivery' : isEmailServiceEvent(body) ? 'email-event' : 'unknown');

/** Names what arrived without echoing it (a body may hold addresses): its type and top-level keys. */
export function describeBody(body: unknown): string {
  if (body === null || typeof body !== 'object') return typeof body;
  if (Array.isArray(body)) return `an array of ${body.length}`;
  const keys = Object.keys(body)
    .slice(0, 10)
    .map((k) => k.slice(0, 40));
  const type = (body as { type?: unknown; kind?: unknown }).type ?? (body as { kind?: unknown }).kind;
  return `an object with keys [${keys.join(', ')}]${typeof type === 'string' ? ` and type "${type.slice(0, 80)}"` : ''}`;
}

/** The producer binding when there is one (a consumer puts waiting messages back through it). */
const producerOf = (env: DeliveryEnv): DeliveryQueue | undefined => {
  const queue = env[DELIVERY_QUEUE_BINDING] as Partial<DeliveryQueue> | undefined;
  return typeof queue?.sendBatch === 'function' ? (queue as DeliveryQueue) : undefined;
};

/**
 * The Worker's `queue` handler: routes each message by what it is, not by the queue it came
 * from. The one name that matters is the dead-letter queue's (DELIVERY_DLQ_NAME): its messages are
 * delivery messages that gave up, to be marked failed, not sent again. Delivery messages go to
 * the delivery consumer on any other queue (a warning names the variables when the queue matches
 * neither configured name); Email Service events go to their handler; anything else is refused
 * loudly: an error naming what arrived, and a retry, never a silent ack.
 */
export async function handleQueue(batch: QueueBatch, env: DeliveryEnv, overrides: Overrides = {}, log: Log = console): Promise<QueueReport> {
  // Only the two names: an unrelated missing setting must not stop Email Service events (they need none).
  const names = readSettingsNamed({ ...env, ...overrides.settings }, ['DELIVERY_QUEUE_NAME', 'DELIVERY_DLQ_NAME']);
  const [deliveryQueue, deadLetterQueue] = [String(names.DELIVERY_QUEUE_NAME), String(names.DELIVERY_DLQ_NAME)];
  const report: QueueReport = { queue: batch.queue, refused: 0 };
  const deps = () => {
    const built = buildDeliveryDeps(env, overrides);
    return overrides.tune ? overrides.tune(built) : built;
  };
  if (batch.queue === deadLetterQueue) {
    report.deadLetters = await consumeDeadLetters(deps(), batch.messages);
    if (report.deadLetters.invalid > 0) {
      log.error(
        JSON.stringify({
          event: 'queue_dead_letters_invalid',
          queue: batch.queue,
          invalid: report.deadLetters.invalid,
          hint: 'messages on DELIVERY_DLQ_NAME that are not delivery messages; acked',
        }),
      );
    }
    return report;
  }
  const byKind: Record<MessageKind, QueueMessage[]> = { delivery: [], 'email-event': [], unknown: [] };
  for (const msg of batch.messages) byKind[messageKind(msg.body)].push(msg);

  for (const msg of byKind.unknown) {
    report.refused += 1;
    log.error(
      JSON.stringify({
        event: 'queue_message_refused',
        queue: batch.queue,
        id: msg.id,
        attempts: msg.attempts,
        arrived: describeBody(msg.body),
        hint: 'neither a delivery message ({ kind: "delivery", ids }) nor a Cloudflare Email Service event (type "cf.email.…"); retried, not acked',
      }),
    );
    msg.retry();
  }
  if (byKind['email-event'].length > 0) {
    await handleEmailEventsQueue({ queue: batch.queue, messages: byKind['email-event'] }, env, log);
    report.emailEvents = byKind['email-event'].length;
  }
  if (byKind.delivery.length > 0) {
    if (batch.queue !== deliveryQueue) {
      log.warn(
        JSON.stringify({
          event: 'queue_name_unconfigured',
          queue: batch.queue,
          hint:
            `delivery messages on a queue named neither DELIVERY_QUEUE_NAME ("${deliveryQueue}") nor DELIVERY_DLQ_NAME ("${deadLetterQueue}"): ` +
            `sent as deliveries. If "${batch.queue}" is the dead-letter queue, set DELIVERY_DLQ_NAME to it, ` +
            'or its messages are sent again instead of marked failed (docs/delivery.md "Delivery at scale")',
        }),
      );
    }
    report.delivery = await consumeDeliveryBatch(deps(), byKind.delivery, producerOf(env));
  }
  return report;
}
