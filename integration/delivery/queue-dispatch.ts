/**
 * DELIVERY_MODE=queue, the producer side: the cron run (or the process route) fans out, then
 * enqueues the due notification ids as messages of IDS_PER_MESSAGE ids, without sending.
 * Queue consumers (queue-consumer.ts) send them. Each chunk is marked in D1 first (a
 * dispatch lease, db/delivery/queue-delivery.ts) and then enqueued, so the next run does not enqueue
 * it again; a crash in between costs one lease of delay, never a lost row.
 *
 * A run tops the queue up rather than adding to it: it enqueues at most `ratePerMinute ×
 * DISPATCH_HORIZON_MINUTES` minus what is already in flight (dispatched, not yet sent), so a
 * long backlog is fed in as the allowance drains it, however long it is.
 */
import type { Db } from '../../db/client';
import { countInFlight, leaseForDispatch, type DispatchRow } from '../../db/delivery/queue-delivery';
import type { DeliveryConfig } from './config';
import { fanOutPublished } from './fanout';

export const IDS_PER_MESSAGE = 50; // one consumer claim, like a cron batch
export const MESSAGES_PER_SEND = 100; // Queues: sendBatch takes at most 100 messages …
export const MAX_SEND_BYTES = 200_000; // … and 256 KB per call; keep a margin for envelopes
const ROWS_PER_CHUNK = 5_000; // rows marked per statement
/** A dispatched row not claimed within this long is enqueued again (a lost message, a crash before enqueueing). */
export const DISPATCH_LEASE_SECONDS = 15 * 60;
/**
 * How much the queue holds at most: the provider's rate for this many minutes, in flight included.
 * A message that meets a spent window waits without spending its retries (queue-consumer.ts), so
 * this bounds the queue's size and the consumers' wasted wake-ups, not correctness.
 */
export const DISPATCH_HORIZON_MINUTES = 5;
export const MAX_DISPATCH_PER_RUN = 200_000; // 40 chunks and 40 sendBatch calls: far inside 1,000 subrequests

/** A delivery message says what it is, so the `queue` handler routes it whatever the queue is called. */
export const DELIVERY_KIND = 'delivery';
export type DeliveryMessage = { kind: typeof DELIVERY_KIND; ids: string[] };
export type DeliveryQueue = { sendBatch(messages: Iterable<MessageSendRequest<DeliveryMessage>>): Promise<unknown> };

export const deliveryMessage = (ids: string[]): DeliveryMessage => ({ kind: DELIVERY_KIND, ids });

export type DispatchSummary = { fannedOut: number; dispatched: number; messages: number; sendCalls: number; durationMs: number; errors: string[] };

/** Splits rows into messages; a reader's digest rows stay in one message (one digest email). */
export function packMessages(rows: readonly DispatchRow[], size = IDS_PER_MESSAGE): DeliveryMessage[] {
  const units: string[][] = [];
  const digests = new Map<string, string[]>();
  for (const row of rows) {
    if (row.notificationType !== 'digest') units.push([row.id]);
    else digests.set(row.userId, [...(digests.get(row.userId) ?? []), row.id]);
  }
  units.push(...digests.values());
  const messages: DeliveryMessage[] = [];
  let current: string[] = [];
  for (const unit of units) {
    if (current.length > 0 && current.length + unit.length > size) {
      messages.push(deliveryMessage(current));
      current = [];
    }
    current.push(...unit);
  }
  if (current.length > 0) messages.push(deliveryMessage(current));
  return messages;
}

/** Groups messages into sendBatch calls within the count and byte limits. */
export function sendCalls(messages: readonly DeliveryMessage[]): DeliveryMessage[][] {
  const calls: DeliveryMessage[][] = [];
  let call: DeliveryMessage[] = [];
  let bytes = 0;
  for (const message of messages) {
    const size = JSON.stringify(message).length;
    if (call.length > 0 && (call.length === MESSAGES_PER_SEND || bytes + size > MAX_SEND_BYTES)) {
      calls.push(call);
      call = [];
      bytes = 0;
    }
    call.push(message);
    bytes += size;
  }
  if (call.length > 0) calls.push(call);
  return calls;
}

/** What a run may enqueue: the horizon's worth of the rate less what is in flight (no rate: the per-run cap). */
export const dispatchLimit = (config: Pick<DeliveryConfig, 'ratePerMinute'>, inFlight = 0): number =>
  config.ratePerMinute > 0 ? Math.max(0, Math.min(MAX_DISPATCH_PER_RUN, config.ratePerMinute * DISPATCH_HORIZON_MINUTES - inFlight)) : MAX_DISPATCH_PER_RUN;

/** The run's limit: without a rate nothing needs counting; with one, one indexed COUNT of what is in flight. */
export async function dispatchLimitNow(deps: DispatchDeps): Promise<number> {
  if (deps.config.ratePerMinute <= 0) return dispatchLimit(deps.config);
  return dispatchLimit(deps.config, await countInFlight(deps.db, deps.clock()));
}

export type DispatchDeps = { db: Db; clock: () => Date; config: DeliveryConfig };

/** Marks and enqueues up to `limit` due rows (singles first, then whole digests). */
export async function dispatchDue(
  deps: DispatchDeps,
  queue: DeliveryQueue,
  limit?: number,
): Promise<Omit<DispatchSummary, 'fannedOut' | 'durationMs' | 'errors'>> {
  const summary = { dispatched: 0, messages: 0, sendCalls: 0 };
  limit ??= await dispatchLimitNow(deps);
  for (const digests of [false, true]) {
    while (summary.dispatched < limit) {
      const rows = await leaseForDispatch(deps.db, {
        now: deps.clock(),
        leaseSeconds: DISPATCH_LEASE_SECONDS,
        limit: Math.min(ROWS_PER_CHUNK, limit - summary.dispatched),
        maxAttempts: deps.config.maxAttempts,
        digests,
      });
      if (rows.length === 0) break;
      const messages = packMessages(rows);
      for (const call of sendCalls(messages)) {
        await queue.sendBatch(call.map((body) => ({ body, contentType: 'json' as const })));
        summary.sendCalls += 1;
      }
      summary.dispatched += rows.length;
      summary.messages += messages.length;
    }
  }
  return summary;
}

/** The queue-mode run: fan out, then dispatch (what the Cron Trigger and the process route do in this mode). */
export async function fanOutAndDispatch(deps: DispatchDeps, queue: DeliveryQueue, limit?: number): Promise<DispatchSummary> {
  const started = Date.now();
  const { config } = deps;
  const fanOut = await fanOutPublished(deps.db, deps.clock(), { hourUtc: config.digestHourUtc, weeklyDay: config.digestWeekday });
  const dispatched = await dispatchDue(deps, queue, limit);
  return { fannedOut: fanOut.notifications, ...dispatched, durationMs: Date.now() - started, errors: fanOut.errors };
}
