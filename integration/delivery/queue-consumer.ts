/**
 * DELIVERY_MODE=queue, the consumer side: each message holds notification ids (queue-dispatch.ts).
 * Per message: which rows are still due (one query), "reserve N sends now" against the global
 * limit (db/delivery/send-allowance.ts), then the existing processor for exactly the granted ids.
 *
 * Sending once rests on the processor's claim: it moves due rows to `sending` with a lease in one
 * UPDATE, so a message delivered twice, or two messages holding the same id, find the row sent
 * or claimed and send nothing. The one duplicate left is the documented at-least-once case: a
 * consumer that dies after the provider accepted a message and before recording it.
 *
 * Waiting is not failing: a message that meets a spent window (or rows another consumer holds)
 * is acked and sent again to the producer binding with `delaySeconds` until the window reopens,
 * its rows' dispatch lease extended to cover the wait, so it spends none of its `max_retries`
 * (no sleeping in a consumer). Only an error (a crash, D1 failing) retries the message itself,
 * and only those reach the dead-letter queue, whose rows still unsent become `failed` (`dead_letter`).
 */
import { DEAD_LETTER_CODE, extendDispatchLease, failDeadLetteredRows, messageRowsState, type DispatchRow } from '../../db/delivery/queue-delivery';
import { reserveSends } from '../../db/delivery/send-allowance';
import { processNotifications, type DeliveryDeps } from './processor';
import { DELIVERY_KIND, DISPATCH_LEASE_SECONDS, deliveryMessage, type DeliveryQueue } from './queue-dispatch';

/** Messages of one batch handled at once (their D1 round trips overlap). */
export const MESSAGE_CONCURRENCY = 6;
const MAX_IDS_PER_MESSAGE = 200; // the processor's MAX_BATCH_SIZE: one claim
const ERROR_RETRY_SECONDS = 1; // after a crash the claim's lease decides when the rows go again
const MAX_DELAY_SECONDS = 12 * 60 * 60; // Queues: delaySeconds at most 12 hours

export type QueueMessage = Pick<Message<unknown>, 'id' | 'body' | 'attempts' | 'ack' | 'retry'>;
/** `waited`: put back to wait for a window (no attempt spent); `retried`: retried after an error (an attempt spent). */
export type ConsumerSummary = { messages: number; sent: number; waited: number; retried: number; acked: number; invalid: number; errors: string[] };

/**
 * Whether a body is a delivery message: `{ kind: 'delivery', ids }`, or the `{ ids }` that
 * dispatch enqueued before messages carried a kind (still in flight after an upgrade).
 */
export function isDeliveryShaped(body: unknown): boolean {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) return false;
  const { kind, type, ids } = body as Record<string, unknown>;
  return kind === DELIVERY_KIND || (kind === undefined && type === undefined && ids !== undefined);
}

/** The ids of a delivery message, or undefined when it is not one or its ids are malformed. */
export function messageIds(body: unknown): string[] | undefined {
  if (!isDeliveryShaped(body)) return undefined;
  const ids = (body as { ids?: unknown }).ids;
  if (!Array.isArray(ids) || ids.length === 0 || ids.length > MAX_IDS_PER_MESSAGE) return undefined;
  return ids.every((id) => typeof id === 'string' && id.length > 0 && id.length <= 64) ? (ids as string[]) : undefined;
}

export const secondsUntil = (at: Date, now: Date) => Math.min(MAX_DELAY_SECONDS, Math.max(1, Math.ceil((at.getTime() - now.getTime()) / 1000)));

/**
 * Puts a message back to wait `delaySeconds`: extends its rows' dispatch lease past the wake-up
 * (one statement; the cron then does not enqueue them again), sends the same ids to the producer
 * binding with the delay, and acks the original. At least once: a crash between the send and the
 * ack leaves two messages with the same rows, and the claim still sends each row once. Without a
 * producer binding, or if the send fails, it falls back to retrying the message (an attempt spent).
 */
async function waitForWindow(
  deps: DeliveryDeps,
  queue: DeliveryQueue | undefined,
  msg: QueueMessage,
  ids: string[],
  delaySeconds: number,
  summary: ConsumerSummary,
): Promise<void> {
  const now = deps.clock();
  await extendDispatchLease(deps.db, ids, new Date(now.getTime() + (delaySeconds + DISPATCH_LEASE_SECONDS) * 1000));
  if (queue) {
    try {
      await queue.sendBatch([{ body: deliveryMessage(ids), contentType: 'json', delaySeconds }]);
      summary.waited += 1;
      msg.ack();
      return;
    } catch (error) {
      summary.errors.push(`message ${msg.id}: could not re-send it to wait (${(error as Error).message}); retrying it instead`);
    }
  }
  summary.retried += 1;
  msg.retry({ delaySeconds });
}

/** Emails, not rows: a reader's digest rows are one email. Returns the ids of the first `emails` emails. */
function firstEmails(rows: readonly DispatchRow[], emails: number): { ids: string[]; emails: number } {
  const digestUsers = new Set<string>();
  const picked = new Set<string>();
  let count = 0;
  for (const row of rows) {
    if (row.notificationType === 'digest') {
      if (!digestUsers.has(row.userId)) {
        if (count === emails) continue;
        digestUsers.add(row.userId);
        count += 1;
      }
      picked.add(row.id);
    } else if (count < emails) {
      picked.add(row.id);
      count += 1;
    }
  }
  return { ids: rows.filter((r) => picked.has(r.id)).map((r) => r.id), emails: count };
}

const countEmails = (rows: readonly DispatchRow[]) => firstEmails(rows, Number.MAX_SAFE_INTEGER).emails;

async function handleMessage(deps: DeliveryDeps, queue: DeliveryQueue | undefined, msg: QueueMessage, summary: ConsumerSummary): Promise<void> {
  const ids = messageIds(msg.body);
  if (!ids) {
    summary.invalid += 1;
    summary.errors.push(`message ${msg.id}: a delivery message without valid ids (1 to ${MAX_IDS_PER_MESSAGE} strings); acked, nothing in it can be sent`);
    msg.ack(); // nothing in it can ever be sent; retrying would only reach the dead-letter queue
    return;
  }
  const { db, config } = deps;
  const now = deps.clock();
  const state = await messageRowsState(db, ids, now, config.maxAttempts);
  if (state.due.length === 0) {
    // Another consumer holds a claim on some rows: look again when it expires (sent by then, or re-claimable after a crash).
    if (state.heldUntil) {
      await waitForWindow(deps, queue, msg, ids, secondsUntil(state.heldUntil, now), summary);
    } else {
      summary.acked += 1;
      msg.ack();
    }
    return;
  }
  const wanted = countEmails(state.due);
  const reservation = await reserveSends(db, wanted, { ratePerMinute: config.ratePerMinute, dailyCap: config.dailyCap }, now);
  if (reservation.granted > 0) {
    const take = firstEmails(state.due, reservation.granted);
    // The reservation is the pacing here: the processor's own per-run pacing is off.
    const run = await processNotifications(
      { ...deps, config: { ...config, ratePerMinute: 0, dailyCap: 0 } },
      { onlyNotificationIds: take.ids, batchSize: MAX_IDS_PER_MESSAGE },
    );
    summary.sent += run.sent;
    summary.errors.push(...run.errors);
  }
  if (reservation.granted < wanted) {
    await waitForWindow(deps, queue, msg, ids, secondsUntil(reservation.retryAt ?? new Date(now.getTime() + 60_000), now), summary);
    return;
  }
  summary.acked += 1;
  msg.ack();
}

/** Runs `fn` over items with at most `limit` in flight. */
async function eachBounded<T>(items: readonly T[], limit: number, fn: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < items.length) await fn(items[next++]!);
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
}

/**
 * The delivery queue's consumer: every message is acked, put back to wait, or retried on its own;
 * one failure does not retry the batch. `queue` is the producer binding messages wait through.
 */
export async function consumeDeliveryBatch(deps: DeliveryDeps, messages: readonly QueueMessage[], queue?: DeliveryQueue): Promise<ConsumerSummary> {
  const summary: ConsumerSummary = { messages: messages.length, sent: 0, waited: 0, retried: 0, acked: 0, invalid: 0, errors: [] };
  await eachBounded(messages, MESSAGE_CONCURRENCY, async (msg) => {
    try {
      await handleMessage(deps, queue, msg, summary);
    } catch (error) {
      // A crash mid-send: what was claimed stays `sending` until its lease runs out; the retry finds it then.
      summary.retried += 1;
      summary.errors.push(`message ${msg.id}: ${(error as Error).message}`);
      msg.retry({ delaySeconds: ERROR_RETRY_SECONDS });
    }
  });
  return summary;
}

export const DEAD_LETTER_REASON = 'The delivery queue gave up on this email after repeated attempts (dead-letter queue); it was not sent.';

/** The dead-letter queue's consumer: the rows of its messages that never went out become `failed` with a visible reason (one batch). */
export async function consumeDeadLetters(
  deps: Pick<DeliveryDeps, 'db' | 'clock'>,
  messages: readonly QueueMessage[],
): Promise<{ failed: number; invalid: number }> {
  const ids = messages.flatMap((msg) => messageIds(msg.body) ?? []);
  const invalid = messages.filter((msg) => !messageIds(msg.body)).length;
  const failed = await failDeadLetteredRows(deps.db, ids, DEAD_LETTER_REASON, deps.clock());
  for (const msg of messages) msg.ack();
  return { failed, invalid };
}

export { DEAD_LETTER_CODE };
