/**
 * SQL for delivery through a queue (DELIVERY_MODE=queue; integration/delivery/queue-*.ts).
 *
 * Dispatch marks the rows it enqueues with a dispatch lease in `lease_expires_at` while they
 * stay `pending` (or `failed` awaiting retry): the next dispatch skips them until the lease
 * runs out, so a backlog is not enqueued again every cron run, and a crash between marking
 * and enqueueing only delays those rows by one lease. Sending once does NOT rest on this
 * mark: the consumer's claim (db/delivery/claims.ts, a lease taken in one UPDATE) does that, so a
 * row enqueued twice still sends once.
 */
import { d1Of, type Db } from '../client';
import { DUE, NOT_HELD } from './claims';
import { toUnixSeconds } from '../time';

export type DispatchRow = { id: string; userId: string; notificationType: string };

// ?1 now, ?2 dispatch lease until, ?3 limit, ?4 max attempts.
// Expired claims (a consumer crashed) are re-dispatched with their lease set to now exactly: still
// claimable (lease <= now) by a consumer, but not picked again by this dispatch run (lease < now).
const MARK = `SET lease_expires_at = CASE WHEN status = 'sending' THEN ?1 ELSE ?2 END`;
const UNMARKED_DUE = `((status = 'pending' AND (scheduled_for IS NULL OR scheduled_for <= ?1) AND (lease_expires_at IS NULL OR lease_expires_at <= ?1))
  OR (status = 'failed' AND next_retry_at <= ?1 AND (lease_expires_at IS NULL OR lease_expires_at <= ?1))
  OR (status = 'sending' AND lease_expires_at < ?1 AND retry_count + 1 < ?4))`;
// Rows of a held post (the console's hold) are not dispatched: the claim would skip them anyway.
const LEASE_SINGLES = `UPDATE email_notifications ${MARK}
  WHERE ${NOT_HELD} AND id IN (SELECT id FROM (
      SELECT id FROM (SELECT id FROM email_notifications INDEXED BY idx_email_notifications_lease
        WHERE status = 'sending' AND lease_expires_at < ?1 AND retry_count + 1 < ?4 AND notification_type <> 'digest' LIMIT ?3)
      UNION ALL SELECT id FROM (SELECT id FROM email_notifications INDEXED BY idx_email_notifications_retry_due
        WHERE status = 'failed' AND next_retry_at <= ?1 AND (lease_expires_at IS NULL OR lease_expires_at <= ?1) AND notification_type <> 'digest' LIMIT ?3)
      UNION ALL SELECT id FROM (SELECT id FROM email_notifications INDEXED BY idx_email_notifications_claimable
        WHERE status = 'pending' AND (scheduled_for IS NULL OR scheduled_for <= ?1) AND (lease_expires_at IS NULL OR lease_expires_at <= ?1)
          AND notification_type <> 'digest'
        ORDER BY scheduled_for, created_at LIMIT ?3)
    ) LIMIT ?3)
  RETURNING id, user_id, notification_type`;
// Digests go per reader: all of a reader's due digest rows, for up to ?3 readers, so one message holds one whole digest.
const LEASE_DIGESTS = `UPDATE email_notifications INDEXED BY idx_email_notifications_fanout_unique ${MARK}
  WHERE notification_type = 'digest' AND ${NOT_HELD} AND ${UNMARKED_DUE}
    AND user_id IN (SELECT user_id FROM (
      SELECT user_id FROM email_notifications INDEXED BY idx_email_notifications_claimable
        WHERE status = 'pending' AND notification_type = 'digest' AND scheduled_for <= ?1 AND (lease_expires_at IS NULL OR lease_expires_at <= ?1)
      UNION SELECT user_id FROM email_notifications
        WHERE status = 'failed' AND notification_type = 'digest' AND next_retry_at <= ?1 AND (lease_expires_at IS NULL OR lease_expires_at <= ?1)
      UNION SELECT user_id FROM email_notifications INDEXED BY idx_email_notifications_lease
        WHERE status = 'sending' AND notification_type = 'digest' AND lease_expires_at < ?1 AND retry_count + 1 < ?4
    ) LIMIT ?3)
  RETURNING id, user_id, notification_type`;

/**
 * Marks up to `limit` due rows as dispatched and returns them (one statement): single
 * notifications, or, with `digests`, up to `limit` readers' whole digests.
 */
export async function leaseForDispatch(
  db: Db,
  opts: { now: Date; leaseSeconds: number; limit: number; maxAttempts: number; digests?: boolean },
): Promise<DispatchRow[]> {
  if (opts.limit <= 0) return [];
  const now = toUnixSeconds(opts.now);
  const { results } = await d1Of(db)
    .prepare(opts.digests ? LEASE_DIGESTS : LEASE_SINGLES)
    .bind(now, now + opts.leaseSeconds, opts.limit, opts.maxAttempts)
    .all<{ id: string; user_id: string; notification_type: string }>();
  return results.map((r) => ({ id: r.id, userId: r.user_id, notificationType: r.notification_type }));
}

// ?1 now. Dispatched and not yet sent: a live dispatch lease on a row still waiting (pending, or failed
// awaiting its retry), through the partial index that holds only leased waiting rows (migration 0021).
const IN_FLIGHT = `SELECT count(*) AS n FROM email_notifications INDEXED BY idx_email_notifications_dispatched
  WHERE status IN ('pending', 'failed') AND lease_expires_at IS NOT NULL AND lease_expires_at > ?1`;

/** Rows enqueued and not yet sent (their message is in the queue or waiting out a spent window): one indexed COUNT. */
export async function countInFlight(db: Db, now: Date): Promise<number> {
  const row = await d1Of(db).prepare(IN_FLIGHT).bind(toUnixSeconds(now)).first<{ n: number }>();
  return row?.n ?? 0;
}

// ?1 ids (JSON), ?2 lease until. Only rows still waiting; a claim (`sending`) keeps its own lease.
const EXTEND_DISPATCH = `UPDATE email_notifications SET lease_expires_at = max(coalesce(lease_expires_at, 0), ?2)
  WHERE id IN (SELECT value FROM json_each(?1)) AND (status = 'pending' OR (status = 'failed' AND next_retry_at IS NOT NULL))`;

/**
 * A message put back to wait (a spent window, rows claimed elsewhere): its waiting rows keep a
 * dispatch lease until `until`, so no dispatch run enqueues them again meanwhile (one statement).
 */
export async function extendDispatchLease(db: Db, ids: readonly string[], until: Date): Promise<number> {
  if (ids.length === 0) return 0;
  const result = await d1Of(db).prepare(EXTEND_DISPATCH).bind(JSON.stringify(ids), toUnixSeconds(until)).run();
  return result.meta.changes ?? 0;
}

export type MessageRowsState = {
  /** Rows of the message that are due now, in message order. */
  due: DispatchRow[];
  /** When the last claim held by another run expires, if some rows are claimed right now. */
  heldUntil?: Date;
};

// Same parameter positions as DUE: ?1 now, ?5 max attempts, ?6 the ids (JSON).
const MESSAGE_ROWS = `SELECT id, user_id, notification_type, ${DUE} AS due,
    CASE WHEN status = 'sending' AND lease_expires_at > ?1 THEN lease_expires_at END AS held_until
  FROM email_notifications WHERE id IN (SELECT value FROM json_each(?6))`;

/** Which of a message's rows are still due, and whether some are claimed by another run right now (one query). */
export async function messageRowsState(db: Db, ids: readonly string[], now: Date, maxAttempts: number): Promise<MessageRowsState> {
  if (ids.length === 0) return { due: [] };
  const { results } = await d1Of(db)
    .prepare(MESSAGE_ROWS)
    .bind(toUnixSeconds(now), null, null, null, maxAttempts, JSON.stringify(ids))
    .all<{ id: string; user_id: string; notification_type: string; due: number; held_until: number | null }>();
  const order = new Map(ids.map((id, i) => [id, i]));
  results.sort((a, b) => order.get(a.id)! - order.get(b.id)!);
  const held = results.map((r) => r.held_until ?? 0).reduce((a, b) => Math.max(a, b), 0);
  return {
    due: results.filter((r) => r.due === 1).map((r) => ({ id: r.id, userId: r.user_id, notificationType: r.notification_type })),
    ...(held > 0 && { heldUntil: new Date(held * 1000) }),
  };
}

export const DEAD_LETTER_CODE = 'dead_letter';

// ?1 ids (JSON), ?2 now, ?3 reason. Rows some run holds a live claim on are left to that run.
// A `failed` row without next_retry_at failed for good already.
const UNSETTLED = `id IN (SELECT value FROM json_each(?1))
  AND (status = 'pending' OR (status = 'failed' AND next_retry_at IS NOT NULL) OR (status = 'sending' AND lease_expires_at <= ?2))`;
const HISTORY_DEAD_LETTERS = `INSERT INTO email_notification_history (id, notification_id, user_id, action, details, error_code, retry_attempt, timestamp)
  SELECT lower(hex(randomblob(16))), id, user_id, 'failed', json_object('final', json('true'), 'error', ?3), '${DEAD_LETTER_CODE}', retry_count + 1, ?2
  FROM email_notifications WHERE ${UNSETTLED}`;
const FAIL_DEAD_LETTERS = `UPDATE email_notifications
  SET status = 'failed', next_retry_at = NULL, lease_expires_at = NULL, retry_count = retry_count + 1, error_message = ?3
  WHERE ${UNSETTLED}`;

/**
 * A dead-lettered message: its rows that never went out become `failed` for good, with the
 * reason in error_message and a `failed` history row (error_code `dead_letter`) the author sees.
 * Rows already sent, cancelled or failed for good are left as they are. Returns rows failed.
 */
export async function failDeadLetteredRows(db: Db, ids: readonly string[], reason: string, now: Date): Promise<number> {
  if (ids.length === 0) return 0;
  const d1 = d1Of(db);
  const params = [JSON.stringify(ids), toUnixSeconds(now), reason] as const;
  const [, updated] = await d1.batch([d1.prepare(HISTORY_DEAD_LETTERS).bind(...params), d1.prepare(FAIL_DEAD_LETTERS).bind(...params)]);
  return updated!.meta.changes ?? 0;
}
