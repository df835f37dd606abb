/**
 * What a provider's delivery event does, whatever the provider (SES, Postmark, Resend,
 * Cloudflare Email Service): the one place that turns a bounce, a complaint or a delivery into
 * writes. Every event is one D1 batch (one transaction) and idempotent: its first statement
 * records (provider, event id) with a random claim, and every other statement only writes
 * while that row carries this run's claim, so a provider that sends an event twice (or two
 * workers that race on it) changes nothing the second time.
 */
import { d1Of, type Db } from '../client';
import { addressHash, randomToken } from '../crypto';
import { DEFAULT_SOFT_BOUNCE_LIMIT } from './delivery-events';
import { NO_PREFERENCES_SET_SQL } from '../delivery/eligibility';
import { toUnixSeconds, utcDateKey } from '../time';
import { normalizeEmail } from '../readers/users';

/** A provider's registry name (integration/delivery/providers/registry.ts FEEDBACK_PROVIDERS lists them; db/ cannot import it). */
export type FeedbackProvider = string;
const PROVIDER_NAME = /^[a-z][a-z0-9-]{0,39}$/;
/**
 * `prior_complaint`: the provider refused to send because the address complained before (Resend's
 * email.suppressed): treated as a complaint for the reader, but no new complaint happened, so it
 * neither counts in total_complained nor toward the complaint pause (which counts `complaint`).
 * `unsubscribe`: the reader left at the provider (Postmark's own unsubscribe link on a broadcast
 * stream): unsubscribed here too, but not suppressed (they may subscribe again, proving the
 * mailbox) and not a complaint (it never counts toward the complaint pause).
 */
export const FEEDBACK_KINDS = ['hard_bounce', 'soft_bounce', 'complaint', 'prior_complaint', 'unsubscribe', 'delivered'] as const;
export type FeedbackKind = (typeof FEEDBACK_KINDS)[number];

/** Feedback counters are about addresses, not content types: they go under this statistics key (as recordBounce's). */
export const FEEDBACK_STATS_TYPE = 'all';
const MAX_EVENT_ID_LENGTH = 200;
const MAX_DETAIL_LENGTH = 200;
const MAX_ADDRESS_LENGTH = 320;

export type FeedbackEvent = {
  provider: FeedbackProvider;
  /** The provider's unique id of this event (per recipient when one event names several). */
  eventId: string;
  kind: FeedbackKind;
  /** The recipient's address as the provider reports it. */
  recipient: string;
  /** The provider's message id, kept in history for the audit trail. */
  providerMessageId?: string | null;
  /** A short diagnostic (bounce type, SMTP status); never a secret. */
  detail?: string | null;
};

export type FeedbackResult = { applied: boolean; readerFound: boolean };

// ?1 provider, ?2 event id, ?3 claim: every guarded statement starts with these.
const GUARD = `EXISTS (SELECT 1 FROM provider_events WHERE provider = ?1 AND event_id = ?2 AND claim = ?3)`;

const RECORD_EVENT = `INSERT INTO provider_events (provider, event_id, kind, claim, created_at)
  VALUES (?1, ?2, ?4, ?3, ?5) ON CONFLICT (provider, event_id) DO NOTHING`;

// ?4 at, ?5 'hard'|'soft', ?6 soft limit, ?7 hash, ?8 address. As recordBounce: a blocked address stays blocked.
const BOUNCE_READER = `UPDATE users SET bounce_count = bounce_count + 1, last_bounce_at = ?4, updated_at = ?4,
    email_hash = COALESCE(email_hash, ?7),
    email_status = CASE WHEN email_status = 'blocked' THEN 'blocked'
                        WHEN ?5 = 'hard' OR bounce_count + 1 >= ?6 THEN 'bounced'
                        ELSE email_status END
  WHERE email = ?8 AND ${GUARD}`;

// ?4 at, ?5 hash, ?6 address. As unsubscribeUserFromAll, plus the hash stamp.
const UNSUBSCRIBE_READER = `UPDATE users SET unsubscribe_all = 1, ${NO_PREFERENCES_SET_SQL}, unsubscribed_at = ?4, updated_at = ?4,
    email_hash = COALESCE(email_hash, ?5),
    email_status = CASE WHEN email_status IN ('bounced', 'blocked') THEN email_status ELSE 'unsubscribed' END
  WHERE email = ?6 AND ${GUARD}`;

// ?4 address, ?5 why.
const CANCEL_PENDING = `UPDATE email_notifications SET status = 'cancelled', error_message = ?5
  WHERE status = 'pending' AND user_id IN (SELECT id FROM users WHERE email = ?4) AND ${GUARD}`;

// ?4 action, ?5 details JSON, ?6 at, ?7 address, ?8 the provider's message id. The details come
// from the reader row after the update above. The row points at the notification the event is
// about: the one whose email_message_id is the provider's id (SES, Postmark, Resend and
// Cloudflare all replace or ignore our Message-ID, so their own id is what both sides know).
const HISTORY = `INSERT INTO email_notification_history (id, notification_id, user_id, action, details, timestamp)
  SELECT lower(hex(randomblob(16))),
         (SELECT n.id FROM email_notifications n WHERE n.user_id = users.id AND n.email_message_id = ?8 LIMIT 1),
         id, ?4, json_patch(?5, json_object('bounceCount', bounce_count, 'emailStatus', email_status)), ?6
  FROM users WHERE email = ?7 AND ${GUARD}`;

// A delivery confirmation is kept only for an email we can name: the row is the per-post "delivered".
const DELIVERED_HISTORY = `${HISTORY}
  AND EXISTS (SELECT 1 FROM email_notifications n WHERE n.user_id = users.id AND n.email_message_id = ?8)`;

// ?4 hash, ?5 reason, ?6 at. The first reason wins.
const SUPPRESS = `INSERT INTO suppressions (address_hash, reason, source, created_at)
  SELECT ?4, ?5, ?1, ?6 WHERE ${GUARD} ON CONFLICT (address_hash) DO NOTHING`;

const COUNTER = {
  hard_bounce: 'total_bounced',
  soft_bounce: 'total_bounced',
  complaint: 'total_complained',
  prior_complaint: null,
  unsubscribe: 'total_unsubscribed',
  delivered: 'total_delivered',
} as const;
// ?4 date key, ?5 at, ?6 statistics key. The counter name is one of the constants above, never input.
const countStatement = (column: string) => `INSERT INTO email_statistics (id, date_key, content_type, ${column}, created_at, updated_at)
  SELECT lower(hex(randomblob(16))), ?4, ?6, 1, ?5, ?5 WHERE ${GUARD}
  ON CONFLICT (date_key, content_type) DO UPDATE SET ${column} = ${column} + 1, updated_at = excluded.updated_at`;

/** Whether an event parsed from a provider's payload can be applied (providers' oddities are skipped, not a 500). */
export function isWellFormedFeedbackEvent(event: FeedbackEvent): boolean {
  try {
    checkFeedbackEvent(event);
    return true;
  } catch {
    return false;
  }
}

export function checkFeedbackEvent(event: FeedbackEvent): void {
  if (typeof event.provider !== 'string' || !PROVIDER_NAME.test(event.provider)) throw new Error(`Not a provider name: "${String(event.provider)}"`);
  if (!FEEDBACK_KINDS.includes(event.kind)) throw new Error(`Unknown feedback kind: "${String(event.kind)}"`);
  if (!event.eventId || event.eventId.length > MAX_EVENT_ID_LENGTH) throw new Error(`A feedback event id must be 1-${MAX_EVENT_ID_LENGTH} characters`);
  if (typeof event.recipient !== 'string' || !event.recipient.includes('@') || event.recipient.length > MAX_ADDRESS_LENGTH) {
    throw new Error('A feedback event needs the recipient address');
  }
}

/**
 * Applies one provider event in one batch:
 * - hard bounce: reader `bounced`, address suppressed (`hard_bounce`), `bounced` history, total_bounced;
 * - soft bounce: counted; the `softLimit`-th makes the reader `bounced` (as recordBounce);
 * - complaint: reader unsubscribed from everything (pending mail cancelled), suppressed
 *   (`complaint`), a `complained` history row, total_complained;
 * - prior_complaint: as a complaint, without total_complained;
 * - unsubscribe: reader unsubscribed from everything (pending mail cancelled), an `unsubscribed`
 *   history row, total_unsubscribed; no suppression;
 * - delivered: total_delivered, and a `delivered` history row on the email it confirms (found by
 *   the provider's message id; none when no email of ours carries it).
 * Returns `applied: false` for an event already applied.
 */
export async function applyFeedbackEvent(
  db: Db,
  event: FeedbackEvent,
  { now = new Date(), softLimit = DEFAULT_SOFT_BOUNCE_LIMIT }: { now?: Date; softLimit?: number } = {},
): Promise<FeedbackResult> {
  checkFeedbackEvent(event);
  const d1 = d1Of(db);
  const address = normalizeEmail(event.recipient);
  const hash = await addressHash(address);
  const at = toUnixSeconds(now);
  const key = [event.provider, event.eventId, randomToken(16)] as const;
  const details = JSON.stringify({
    provider: event.provider,
    kind: event.kind,
    ...(event.providerMessageId && { providerMessageId: event.providerMessageId.slice(0, MAX_EVENT_ID_LENGTH) }),
    ...(event.detail && { detail: event.detail.slice(0, MAX_DETAIL_LENGTH) }),
  });

  const pid = event.providerMessageId?.slice(0, MAX_EVENT_ID_LENGTH) ?? null;
  const statements = [d1.prepare(RECORD_EVENT).bind(...key, event.kind, at)];
  if (event.kind === 'hard_bounce' || event.kind === 'soft_bounce') {
    const bounce = event.kind === 'hard_bounce' ? 'hard' : 'soft';
    statements.push(d1.prepare(BOUNCE_READER).bind(...key, at, bounce, softLimit, hash, address));
    statements.push(d1.prepare(HISTORY).bind(...key, 'bounced', details, at, address, pid));
    if (bounce === 'hard') statements.push(d1.prepare(SUPPRESS).bind(...key, hash, 'hard_bounce', at));
  } else if (event.kind === 'complaint' || event.kind === 'prior_complaint') {
    statements.push(d1.prepare(UNSUBSCRIBE_READER).bind(...key, at, hash, address));
    statements.push(d1.prepare(CANCEL_PENDING).bind(...key, address, 'the reader reported our mail as spam'));
    statements.push(d1.prepare(HISTORY).bind(...key, 'complained', details, at, address, pid));
    statements.push(d1.prepare(SUPPRESS).bind(...key, hash, 'complaint', at));
  } else if (event.kind === 'unsubscribe') {
    statements.push(d1.prepare(UNSUBSCRIBE_READER).bind(...key, at, hash, address));
    statements.push(d1.prepare(CANCEL_PENDING).bind(...key, address, `the reader unsubscribed at ${event.provider}`));
    statements.push(d1.prepare(HISTORY).bind(...key, 'unsubscribed', details, at, address, pid));
  } else if (event.kind === 'delivered' && pid) {
    statements.push(d1.prepare(DELIVERED_HISTORY).bind(...key, 'delivered', details, at, address, pid));
  }
  const counter = COUNTER[event.kind];
  if (counter) statements.push(d1.prepare(countStatement(counter)).bind(...key, utcDateKey(now), at, FEEDBACK_STATS_TYPE));

  const [recorded, reader] = await d1.batch(statements);
  const applied = (recorded?.meta.changes ?? 0) > 0;
  const readerFound = event.kind === 'delivered' ? false : (reader?.meta.changes ?? 0) > 0;
  return { applied, readerFound };
}

/**
 * Applies several events (e.g. one SES bounce naming three recipients), each in its own batch.
 * Malformed ones (no address, an overlong id) are skipped: `applied: false`.
 */
export async function applyFeedbackEvents(db: Db, events: readonly FeedbackEvent[], opts: { now?: Date; softLimit?: number } = {}) {
  const results: FeedbackResult[] = [];
  for (const event of events) {
    results.push(isWellFormedFeedbackEvent(event) ? await applyFeedbackEvent(db, event, opts) : { applied: false, readerFound: false });
  }
  return results;
}

export type DailyRates = { dateKey: string; sent: number; delivered: number; bounced: number; complained: number; bounceRate: number; complaintRate: number };

/**
 * Bounce and complaint rates per UTC day, computed from email_statistics (the counters
 * total_bounced and total_complained over total_sent, every content type summed): a query,
 * not a stored column, so the rates can never disagree with the counters.
 */
export async function getDailyRates(db: Db, fromDateKey: string, toDateKey: string): Promise<DailyRates[]> {
  const { results } = await d1Of(db)
    .prepare(
      `SELECT date_key AS dateKey, sum(total_sent) AS sent, sum(total_delivered) AS delivered,
              sum(total_bounced) AS bounced, sum(total_complained) AS complained
       FROM email_statistics WHERE date_key BETWEEN ?1 AND ?2 GROUP BY date_key ORDER BY date_key`,
    )
    .bind(fromDateKey, toDateKey)
    .all<Omit<DailyRates, 'bounceRate' | 'complaintRate'>>();
  return results.map((r) => ({
    ...r,
    bounceRate: r.sent > 0 ? r.bounced / r.sent : 0,
    complaintRate: r.sent > 0 ? r.complained / r.sent : 0,
  }));
}

/** How long a processed event id is kept: far beyond any provider's redelivery window (Svix retries for about a day). */
export const PROVIDER_EVENT_RETENTION_DAYS = 30;

/**
 * Forgets old processed event ids (daily housekeeping), except complaints: the complaint-rate
 * pause (db/delivery/pause.ts) counts them over the last 1,000 sends, however long ago.
 */
export async function cleanupProviderEvents(db: Db, now: Date = new Date()): Promise<number> {
  const { sql, params } = oldProviderEventsStatement(now);
  const result = await d1Of(db)
    .prepare(sql)
    .bind(...params)
    .run();
  return result.meta.changes ?? 0;
}

/** The DELETE of cleanupProviderEvents as SQL (for db:retention's batch). */
export function oldProviderEventsStatement(now: Date): { sql: string; params: number[] } {
  const before = toUnixSeconds(now) - PROVIDER_EVENT_RETENTION_DAYS * 24 * 60 * 60;
  return { sql: `DELETE FROM provider_events WHERE kind <> 'complaint' AND created_at < ?1`, params: [before] };
}
