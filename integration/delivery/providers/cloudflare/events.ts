/**
 * Cloudflare Email Service delivery events, through a Queues event subscription (source
 * `email.sending`) consumed by this Worker: `queue(batch, env)` of integration/worker.ts hands it these batches.
 * Each message is one event (`cf.email.sending.message.<kind>`, payload.eventId unique); each
 * is applied idempotently (db/feedback/events.ts) and acked, or retried when D1 fails.
 * Events that change nothing here (deferred, failed, rejected) are acked as they come.
 */
import { createDb } from '../../../../db/client';
import { applyFeedbackEvent, isWellFormedFeedbackEvent, type FeedbackEvent } from '../../../../db/feedback/events';
import { obj, str } from '../webhook-common';

const TYPE_PREFIX = 'cf.email.sending.message.';
/** Every Cloudflare Email Service event type starts so; the `queue` handler routes such messages here. */
const EVENT_FAMILY = 'cf.email.';

/** Whether a queue message body is a Cloudflare Email Service event (whether or not we act on its kind). */
export function isEmailServiceEvent(body: unknown): boolean {
  return str(obj(body)?.type)?.startsWith(EVENT_FAMILY) ?? false;
}

/** The feedback event a queue message body carries, or null when it carries none we act on. */
export function cloudflareFeedbackEvent(body: unknown): FeedbackEvent | null {
  const message = obj(body);
  const type = str(message?.type);
  const payload = obj(message?.payload);
  if (!type?.startsWith(TYPE_PREFIX) || !payload) return null;
  const eventId = str(payload.eventId);
  const recipient = str(payload.recipient);
  if (!eventId || !recipient) return null;
  const base = { provider: 'cloudflare' as const, eventId, recipient, providerMessageId: str(payload.messageId) ?? null };
  const delivery = obj(payload.delivery);
  switch (type.slice(TYPE_PREFIX.length)) {
    case 'bounced': {
      // A permanent bounce, or temporary retries exhausted (bounce.type "soft"): counted as soft.
      const bounce = obj(payload.bounce);
      const kind = bounce?.type === 'soft' ? 'soft_bounce' : 'hard_bounce';
      return { ...base, kind, detail: str(delivery?.smtpEnhancedStatusCode) ?? str(bounce?.classification) ?? null };
    }
    case 'complained':
      return { ...base, kind: 'complaint', detail: str(obj(payload.complaint)?.type) ?? null };
    case 'delivered':
      return { ...base, kind: 'delivered' };
    default:
      return null; // deferred (retries pending), failed, rejected: nothing about the reader to record
  }
}

export type EmailEventsEnv = { DB: D1Database };
/** The part of a Queues batch this handler reads (the `queue` handler passes the event messages of a batch). */
export type EventBatch = { queue: string; messages: readonly Pick<Message<unknown>, 'id' | 'body' | 'ack' | 'retry'>[] };

export async function handleEmailEventsQueue(batch: EventBatch, env: EmailEventsEnv, log: Pick<Console, 'log' | 'error'> = console): Promise<void> {
  const db = createDb(env.DB);
  let applied = 0;
  for (const message of batch.messages) {
    const event = cloudflareFeedbackEvent(message.body);
    if (!event || !isWellFormedFeedbackEvent(event)) {
      message.ack(); // nothing we act on, or malformed: retrying would not change it
      continue;
    }
    try {
      if ((await applyFeedbackEvent(db, event)).applied) applied += 1;
      message.ack();
    } catch (error) {
      log.error(JSON.stringify({ event: 'email_event_failed', queue: batch.queue, id: message.id, error: String(error) }));
      message.retry();
    }
  }
  log.log(JSON.stringify({ event: 'email_events_processed', queue: batch.queue, messages: batch.messages.length, applied }));
}
