/**
 * The delivery queue's set-based SQL: claim with a lease, record a batch's outcomes,
 * count what pacing needs. Each function is one D1 round trip (one statement or one
 * `batch()`, which D1 runs as one transaction), whatever the batch size: id lists and
 * outcomes travel as ONE JSON parameter read with json_each, so D1's 100-parameter limit
 * never splits a batch.
 *
 * Raw SQL on the D1 binding (`db.$client`): drizzle 0.45's d1 batch() cannot run raw
 * `sql` queries with parameters, and UPDATE … RETURNING with scalar subqueries reads
 * plainer as SQL anyway. Builder queries from other modules join a batch via toSQL().
 */
import { sendEligibleCaseSql } from './eligibility';
import { safeErrorText } from '../safe-error';
import { d1Of, statementOf, type Db } from '../client';
import { statisticsUpsertQuery, type StatisticIncrements } from './statistics';
import { emailNotifications, type ContentItem, type EmailNotification, type User } from '../schema';
import { toUnixSeconds, utcDateKey } from '../time';

// ---------------------------------------------------------------- claim

/** What a claim writes in error_message when it takes over a claim whose lease expired (a possible re-send). */
export const LEASE_TAKEOVER_NOTE = 'the previous attempt stopped before recording its outcome (lease expired); sending again with the same Message-ID';

/** The notification columns a claim returns, under their schema (camelCase) names. */
const CLAIMED_FIELDS = [
  'id',
  'userId',
  'contentType',
  'contentId',
  'contentTitle',
  'contentUrl',
  'contentExcerpt',
  'notificationType',
  'retryCount', // attempts already made (a lease that expired counts as one)
  'messageIdHeader',
] as const satisfies readonly (keyof EmailNotification)[];

/** A claimed notification with what sending it needs (reader, eligibility, publish date); types from the schema. */
export type ClaimedRow = Pick<EmailNotification, Exclude<(typeof CLAIMED_FIELDS)[number], 'messageIdHeader'>> & {
  /** The claim writes it before any send, so a claimed row always has one. */
  messageIdHeader: NonNullable<EmailNotification['messageIdHeader']>;
  /** Null when the reader row is gone. */
  email: User['email'] | null;
  /** This claim took the row over from a claim whose lease expired: the provider may have it already (a re-send). */
  resent?: boolean;
  frequency: User['emailFrequency'] | null;
  /** The reader's language (null: the site's default), for the email's words. */
  locale: User['locale'] | null;
  eligible: boolean;
  publishDate: ContentItem['publishDate'] | null;
};

// Sending is allowed when the address works and, for content, the reader still wants this type
// (db/delivery/eligibility.ts states the rule once for the fan-out, this check and the predicate).
const ELIGIBLE = `(SELECT ${sendEligibleCaseSql('email_notifications', 'u')} FROM users u WHERE u.id = email_notifications.user_id)`;

const RETURNING = `RETURNING ${CLAIMED_FIELDS.map((f) => `${emailNotifications[f].name} AS "${f}"`).join(', ')},
  (SELECT email FROM users u WHERE u.id = email_notifications.user_id) AS email,
  (SELECT email_frequency FROM users u WHERE u.id = email_notifications.user_id) AS frequency,
  (SELECT locale FROM users u WHERE u.id = email_notifications.user_id) AS locale,
  ${ELIGIBLE} AS eligible,
  error_message = '${LEASE_TAKEOVER_NOTE}' AS resent,
  (SELECT publish_date FROM content_items c WHERE c.slug = email_notifications.content_id) AS "publishDate"`;

// ?1 now, ?2 lease until, ?3 Message-ID domain, ?4 limit, ?5 max attempts.
// The Message-ID is written in the claim, before any send, and kept on retries (COALESCE):
// a message re-sent after a crash carries the same Message-ID. Taking over an expired claim
// (status still `sending`) leaves a note in error_message, which RETURNING reads as `resent`
// (SET sees the old row, RETURNING the new one) and the outcome overwrites.
const CLAIM_SET = `SET status = 'sending', lease_expires_at = ?2,
  retry_count = retry_count + (status = 'sending'),
  error_message = CASE WHEN status = 'sending' THEN '${LEASE_TAKEOVER_NOTE}' ELSE error_message END,
  message_id_header = COALESCE(message_id_header, '<' || id || '.' || lower(hex(randomblob(8))) || '@' || ?3 || '>')`;

/** A post the author holds (console) keeps its rows in the queue, unclaimed. */
export const NOT_HELD = `NOT EXISTS (SELECT 1 FROM content_items held WHERE held.slug = email_notifications.content_id AND held.delivery_held = 1)`;

/** Due to send now (?1 now, ?5 max attempts); shared with db/delivery/queue-delivery.ts. */
export const DUE = `${NOT_HELD} AND ((status = 'pending' AND (scheduled_for IS NULL OR scheduled_for <= ?1))
  OR (status = 'failed' AND next_retry_at <= ?1)
  OR (status = 'sending' AND lease_expires_at <= ?1 AND retry_count + 1 < ?5))`;

/** A claim whose lease ran out on the last allowed attempt is final: failed, never claimed again. */
const EXHAUSTED = `status = 'sending' AND lease_expires_at <= ?1 AND retry_count + 1 >= ?2`;
const HISTORY_EXHAUSTED_LEASES = `INSERT INTO email_notification_history (id, notification_id, user_id, action, details, error_code, retry_attempt, timestamp)
  SELECT lower(hex(randomblob(16))), id, user_id, 'failed', json_object('final', json('true'), 'error', 'lease expired'), 'lease_expired', retry_count + 1, ?1
  FROM email_notifications INDEXED BY idx_email_notifications_lease WHERE ${EXHAUSTED}`;
const FINALIZE_EXHAUSTED_LEASES = `UPDATE email_notifications INDEXED BY idx_email_notifications_lease
  SET status = 'failed', retry_count = retry_count + 1, next_retry_at = NULL, lease_expires_at = NULL,
      error_message = 'the run sending it stopped before recording the outcome (lease expired) on the last attempt'
  WHERE ${EXHAUSTED}`;

/** Digest rows are claimed per reader: all of a reader's due digest rows, for up to ?4 readers. */
// INDEXED BY: without statistics the planner would scan every pending row by status instead of
// looking up the few readers' rows (measured: rows_read = queue size).
const CLAIM_DIGESTS = `UPDATE email_notifications INDEXED BY idx_email_notifications_fanout_unique ${CLAIM_SET}
WHERE notification_type = 'digest' AND ${DUE}
  AND user_id IN (SELECT user_id FROM (
      SELECT user_id FROM email_notifications INDEXED BY idx_email_notifications_claimable
        WHERE status = 'pending' AND notification_type = 'digest' AND scheduled_for <= ?1 AND ${NOT_HELD}
      UNION SELECT user_id FROM email_notifications
        WHERE status = 'failed' AND notification_type = 'digest' AND next_retry_at <= ?1 AND ${NOT_HELD}
      UNION SELECT user_id FROM email_notifications INDEXED BY idx_email_notifications_lease
        WHERE status = 'sending' AND notification_type = 'digest' AND lease_expires_at <= ?1 AND retry_count + 1 < ?5 AND ${NOT_HELD}
    ) LIMIT ?4)
${RETURNING}`;

// The singles' share of the batch is what the digest claim just before it (same batch, same
// lease value) left over. Each source is scanned through its own index and stops at the limit,
// so the claim costs the same with 5,000 or 500,000 rows queued.
const SINGLES_LIMIT = `max(0, ?4 - (SELECT count(DISTINCT user_id) FROM email_notifications INDEXED BY idx_email_notifications_lease
  WHERE status = 'sending' AND lease_expires_at = ?2 AND notification_type = 'digest'))`;
export const CLAIM_SINGLES = `UPDATE email_notifications ${CLAIM_SET}
WHERE id IN (SELECT id FROM (
    SELECT id FROM (SELECT id FROM email_notifications INDEXED BY idx_email_notifications_lease
      WHERE status = 'sending' AND lease_expires_at <= ?1 AND retry_count + 1 < ?5 AND notification_type <> 'digest' AND ${NOT_HELD} LIMIT ?4)
    UNION ALL SELECT id FROM (SELECT id FROM email_notifications INDEXED BY idx_email_notifications_retry_due
      WHERE status = 'failed' AND next_retry_at <= ?1 AND notification_type <> 'digest' AND ${NOT_HELD} LIMIT ?4)
    UNION ALL SELECT id FROM (SELECT id FROM email_notifications INDEXED BY idx_email_notifications_claimable
      WHERE status = 'pending' AND notification_type <> 'digest' AND (scheduled_for IS NULL OR scheduled_for <= ?1) AND ${NOT_HELD}
      ORDER BY scheduled_for, created_at LIMIT ?4)
  ) LIMIT ${SINGLES_LIMIT})
${RETURNING}`;

/** Only the given ids (e.g. a verification email sent from the subscribe route), if due. */
const CLAIM_IDS = `UPDATE email_notifications ${CLAIM_SET}
WHERE id IN (SELECT value FROM json_each(?6)) AND ${DUE}
${RETURNING}`;

/** What D1 returns: the row under its schema names, with the flag and the timestamp still raw. */
type RawClaimed = Omit<ClaimedRow, 'eligible' | 'publishDate' | 'resent'> & { eligible: number | null; publishDate: number | null; resent: number | null };

const toClaimed = ({ eligible, publishDate, resent, ...row }: RawClaimed): ClaimedRow => ({
  ...row,
  eligible: eligible === 1,
  resent: resent === 1,
  publishDate: publishDate == null ? null : new Date(publishDate * 1000),
});

export type ClaimOptions = {
  now: Date;
  leaseSeconds: number;
  /** Emails (a digest counts once, whatever its row count). */
  limit: number;
  messageIdDomain: string;
  maxAttempts: number;
  /** Claim only these ids (no digests). */
  onlyIds?: readonly string[];
};

/**
 * Moves due notifications to `sending` with a lease, in one round trip: finalizes leases
 * that expired on their last attempt, then claims whole digests (per reader), then singles
 * (pending and due, failed with next_retry_at passed, or sending with an expired lease).
 */
export async function claimDueNotifications(db: Db, opts: ClaimOptions): Promise<ClaimedRow[]> {
  if (opts.limit <= 0) return [];
  const d1 = d1Of(db);
  const now = toUnixSeconds(opts.now);
  const lease = now + opts.leaseSeconds;
  const params = [now, lease, opts.messageIdDomain, opts.limit, opts.maxAttempts] as const;
  const finalize = [d1.prepare(HISTORY_EXHAUSTED_LEASES).bind(now, opts.maxAttempts), d1.prepare(FINALIZE_EXHAUSTED_LEASES).bind(now, opts.maxAttempts)];
  if (opts.onlyIds) {
    const [, , claimed] = await d1.batch<RawClaimed>([...finalize, d1.prepare(CLAIM_IDS).bind(...params, JSON.stringify(opts.onlyIds))]);
    return claimed!.results.map(toClaimed);
  }
  const [, , digests, singles] = await d1.batch<RawClaimed>([
    ...finalize,
    d1.prepare(CLAIM_DIGESTS).bind(...params),
    d1.prepare(CLAIM_SINGLES).bind(...params),
  ]);
  return [...digests!.results, ...singles!.results].map(toClaimed);
}

/** Gives every row of a digest the same Message-ID before it is sent (rows claimed at different times may differ). */
export async function unifyMessageIds(db: Db, groups: readonly { messageIdHeader: string; ids: string[] }[]): Promise<void> {
  if (groups.length === 0) return;
  const d1 = d1Of(db);
  await d1
    .prepare(
      `UPDATE email_notifications SET message_id_header = g.value->>'m'
       FROM json_each(?1) AS g, json_each(g.value->'ids') AS i
       WHERE email_notifications.id = i.value`,
    )
    .bind(JSON.stringify(groups.map((g) => ({ m: g.messageIdHeader, ids: g.ids }))))
    .run();
}

// ---------------------------------------------------------------- record

export type Outcome =
  | { kind: 'sent'; row: ClaimedRow; providerMessageId: string; messageIdHeader: string; statsType: string }
  | { kind: 'retry'; row: ClaimedRow; error: string; code: string; nextRetryAt: Date }
  | { kind: 'failed'; row: ClaimedRow; error: string; code: string; statsType: string }
  | { kind: 'cancelled'; row: ClaimedRow; reason: string };

const HISTORY_ACTION = { sent: 'sent', retry: 'retry_scheduled', failed: 'failed', cancelled: 'cancelled' } as const;
const STATUS = { sent: 'sent', retry: 'failed', failed: 'failed', cancelled: 'cancelled' } as const;

const INSERT_HISTORY = `INSERT INTO email_notification_history
  (id, notification_id, user_id, action, details, error_code, retry_attempt, timestamp)
  SELECT lower(hex(randomblob(16))), value->>'id', value->>'user', value->>'action', value->>'details',
         value->>'code', value->>'attempt', ?2
  FROM json_each(?1) WHERE true`;

// Only rows still in `sending` change: a row some other run already settled keeps its state.
const UPDATE_OUTCOMES = `UPDATE email_notifications SET
    status = o.value->>'status',
    sent_at = CASE WHEN o.value->>'status' = 'sent' THEN ?2 ELSE sent_at END,
    email_message_id = COALESCE(o.value->>'pid', email_message_id),
    message_id_header = COALESCE(o.value->>'mid', message_id_header),
    error_message = o.value->>'error',
    retry_count = retry_count + (o.value->>'inc'),
    next_retry_at = o.value->>'next',
    lease_expires_at = NULL
  FROM json_each(?1) AS o
  WHERE email_notifications.id = o.value->>'id' AND email_notifications.status = 'sending'`;

/**
 * Records every outcome of a batch in ONE `batch()` (one transaction): status, sent_at,
 * provider id, retry schedule, a history row per transition, the day's statistics per
 * content type (an email counts once: a digest under `digest`). Nothing else: users.last_email_sent_at would repeat
 * the notification's sent_at at a row written per email (the data export reads it from the notifications).
 */
export async function recordOutcomes(db: Db, outcomes: readonly Outcome[], now: Date): Promise<void> {
  if (outcomes.length === 0) return;
  const d1 = d1Of(db);
  const at = toUnixSeconds(now);
  const rows = outcomes.map((o) => {
    // The one place delivery errors are stored: nothing of a message body or a token gets in.
    o =
      o.kind === 'retry' || o.kind === 'failed'
        ? { ...o, error: safeErrorText(o.error) }
        : o.kind === 'cancelled'
          ? { ...o, reason: safeErrorText(o.reason) }
          : o;
    const attempt = o.row.retryCount + (o.kind === 'cancelled' ? 0 : 1);
    return {
      id: o.row.id,
      user: o.row.userId,
      action: HISTORY_ACTION[o.kind],
      status: STATUS[o.kind],
      attempt: o.kind === 'cancelled' ? null : attempt,
      inc: o.kind === 'retry' || o.kind === 'failed' ? 1 : 0, // retry_count counts failed attempts
      pid: o.kind === 'sent' ? o.providerMessageId : null,
      mid: o.kind === 'sent' ? o.messageIdHeader : null,
      next: o.kind === 'retry' ? toUnixSeconds(o.nextRetryAt) : null,
      error: o.kind === 'sent' ? null : o.kind === 'cancelled' ? o.reason : o.error,
      code: o.kind === 'retry' || o.kind === 'failed' ? o.code : null,
      details: JSON.stringify({
        ...(o.kind === 'sent'
          ? { messageId: o.messageIdHeader, providerMessageId: o.providerMessageId }
          : o.kind === 'retry'
            ? { error: o.error, nextRetryAt: toUnixSeconds(o.nextRetryAt) }
            : o.kind === 'failed'
              ? { error: o.error, final: true }
              : { reason: o.reason }),
        // A takeover after an expired lease: the earlier attempt may have reached the provider, so this may be a second copy.
        ...(o.row.resent && { resent: true }),
      }),
    };
  });
  const payload = JSON.stringify(rows);
  const statements = [d1.prepare(INSERT_HISTORY).bind(payload, at), d1.prepare(UPDATE_OUTCOMES).bind(payload, at)];

  // Statistics count emails: each digest message once, each single once.
  const counted = new Map<string, StatisticIncrements & { seen: Set<string> }>();
  for (const o of outcomes) {
    if (o.kind !== 'sent' && o.kind !== 'failed') continue;
    const entry = counted.get(o.statsType) ?? { seen: new Set<string>() };
    const key = o.kind === 'sent' ? o.messageIdHeader : o.row.messageIdHeader;
    if (entry.seen.has(key)) continue;
    entry.seen.add(key);
    if (o.kind === 'sent') entry.totalSent = (entry.totalSent ?? 0) + 1;
    else entry.totalFailed = (entry.totalFailed ?? 0) + 1;
    counted.set(o.statsType, entry);
  }
  const dateKey = utcDateKey(now);
  for (const [type, { seen: _seen, ...increments }] of counted) {
    statements.push(statementOf(d1, statisticsUpsertQuery(db, dateKey, type, increments, now)));
  }
  await d1.batch(statements);
}

// ---------------------------------------------------------------- pacing and reporting

/**
 * Emails sent in the current minute and the current UTC day, counted once per Message-ID
 * (a digest's rows share one) from today's `sent` history: one indexed range scan.
 */
export async function countSentEmails(db: Db, minuteStart: Date, dayStart: Date): Promise<{ thisMinute: number; today: number }> {
  const row = await d1Of(db)
    .prepare(
      `SELECT count(DISTINCT CASE WHEN timestamp >= ?1 THEN details->>'messageId' END) AS minute,
              count(DISTINCT details->>'messageId') AS day
       FROM email_notification_history INDEXED BY idx_email_history_timestamp
       WHERE timestamp >= ?2 AND action = 'sent'`,
    )
    .bind(toUnixSeconds(minuteStart), toUnixSeconds(dayStart))
    .first<{ minute: number; day: number }>();
  return { thisMinute: row?.minute ?? 0, today: row?.day ?? 0 };
}

/** How many notifications are due now (what a run left behind). */
export async function countDue(db: Db, now: Date, maxAttempts: number): Promise<number> {
  const row = await d1Of(db)
    .prepare(`SELECT count(*) AS n FROM email_notifications WHERE ${DUE}`)
    .bind(toUnixSeconds(now), null, null, null, maxAttempts)
    .first<{ n: number }>();
  return row?.n ?? 0;
}
