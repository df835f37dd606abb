/**
 * DELIVERY_MODE=queue, the consumer side: each message holds notification ids (queue-dispatch.ts).
 * Per message: which rows are still due (one query), "reserve N sends now" against the global
 * limit (db/send-allowance.ts), then the existing processor for exactly the granted ids.
 *
 * Sending once rests on the processor's claim: it moves due rows to `sending` with a lease in one
 * UPDATE, so a message delivered twice, or two messages holding the same id, find the row sent
 * or claimed and send nothing. The one duplicate left is the documented at-least-once case: a
 * consumer that dies after the provider accepted a message and before recording it.
 *
 * Short reservation: the message is retried with `delaySeconds` until the window reopens (no
 * sleeping in a consumer). Dead letters: the rows still unsent become `failed` (`dead_letter`).
 */
import { DEAD_LETTER_CODE, failDeadLetteredRows, messageRowsState, type DispatchRow } from '../../db/queue-delivery';
import { reserveSends } from '../../db/send-allowance';
import { processNotifications, type DeliveryDeps } from './processor';
import type { DeliveryMessage } from './queue-dispatch';

/** Messages of one batch handled at once (their D1 round trips overlap). */
export const MESSAGE_CONCURRENCY = 6;
const MAX_IDS_PER_MESSAGE = 200; // the processor's MAX_BATCH_SIZE: one claim
const ERROR_RETRY_SECONDS = 1; // after a crash the claim's lease decides when the rows go again
const MAX_DELAY_SECONDS = 12 * 60 * 60; // Queues: delaySeconds at most 12 hours

export type QueueMessage = Pick<Message<unknown>, 'id' | 'body' | 'attempts' | 'ack' | 'retry'>;
export type ConsumerSummary = { messages: number; sent: number; retried: number; acked: number; invalid: number; errors: string[] };

export function messageIds(body: unknown): string[] | undefined {
  const ids = (body as Partial<DeliveryMessage> | null)?.ids;
  if (!Array.isArray(ids) || ids.length === 0 || ids.length > MAX_IDS_PER_MESSAGE) return undefined;
  return ids.every((id) => typeof id === 'string' && id.length > 0 && id.length <= 64) ? ids : undefined;
}

const secondsUntil = (at: Date, now: Date) => Math.min(MAX_DELAY_SECONDS, Math.max(1, Math.ceil((at.getTime() - now.getTime()) / 1000)));

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

async function handleMessage(deps: DeliveryDeps, msg: QueueMessage, summary: ConsumerSummary): Promise<void> {
  const ids = messageIds(msg.body);
  if (!ids) {
    summary.invalid += 1;
    msg.ack(); // nothing in it can ever be sent; retrying would only reach the dead-letter queue
    return;
  }
  const { db, config } = deps;
  const now = deps.clock();
  const state = await messageRowsState(db, ids, now, config.maxAttempts);
  if (state.due.length === 0) {
    // Another consumer holds a claim on some rows: look again when it expires (sent by then, or re-claimable after a crash).
    if (state.heldUntil) {
      summary.retried += 1;
      msg.retry({ delaySeconds: secondsUntil(state.heldUntil, now) });
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
    summary.retried += 1;
    msg.retry({ delaySeconds: secondsUntil(reservation.retryAt ?? new Date(now.getTime() + 60_000), now) });
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

/** The delivery queue's consumer: every message is acked or retried on its own; one failure does not retry the batch. */
export async function consumeDeliveryBatch(deps: DeliveryDeps, messages: readonly QueueMessage[]): Promise<ConsumerSummary> {
  const summary: ConsumerSummary = { messages: messages.length, sent: 0, retried: 0, acked: 0, invalid: 0, errors: [] };
  await eachBounded(messages, MESSAGE_CONCURRENCY, async (msg) => {
    try {
      await handleMessage(deps, msg, summary);
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
export async function consumeDeadLetters(deps: Pick<DeliveryDeps, 'db' | 'clock'>, messages: readonly QueueMessage[]): Promise<{ failed: number; invalid: number }> {
  const ids = messages.flatMap((msg) => messageIds(msg.body) ?? []);
  const invalid = messages.filter((msg) => !messageIds(msg.body)).length;
  const failed = await failDeadLetteredRows(deps.db, ids, DEAD_LETTER_REASON, deps.clock());
  for (const msg of messages) msg.ack();
  return { failed, invalid };
}

export { DEAD_LETTER_CODE };
