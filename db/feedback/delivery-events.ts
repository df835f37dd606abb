/**
 * Events that arrive after a send: bounces (from the author's bounce handling) and, when
 * tracking is on, opens and clicks. Each is one D1 round trip (one batch).
 */
import { d1Of, statementOf, type Db } from '../client';
import { normalizeEmail } from '../readers/users';
import { statisticsUpsertQuery } from '../delivery/statistics';
import { toUnixSeconds, utcDateKey } from '../time';

export const DEFAULT_SOFT_BOUNCE_LIMIT = 3;
/** Bounces are about an address, not a content type: their statistics row uses this key. */
const BOUNCE_STATS_TYPE = 'all';

export type BounceResult = { userId: string; emailStatus: string; bounceCount: number } | null;

/**
 * Counts a bounce for an address. A hard bounce, or the `softLimit`-th soft one, sets
 * `email_status = 'bounced'` (a blocked address stays blocked); bounced readers get no
 * fan-out and no sends. Writes a `bounced` history row and the day's statistics.
 * Returns null when no reader has that address.
 */
export async function recordBounce(
  db: Db,
  email: string,
  kind: 'hard' | 'soft',
  { softLimit = DEFAULT_SOFT_BOUNCE_LIMIT, now = new Date() }: { softLimit?: number; now?: Date } = {},
): Promise<BounceResult> {
  if (kind !== 'hard' && kind !== 'soft') throw new Error(`bounce kind must be 'hard' or 'soft', got ${String(kind)}`);
  if (!Number.isInteger(softLimit) || softLimit < 1) throw new Error(`softLimit must be a positive integer, got ${softLimit}`);
  const d1 = d1Of(db);
  const address = normalizeEmail(email);
  const at = toUnixSeconds(now);
  const [updated] = await d1.batch<{ id: string; email_status: string; bounce_count: number }>([
    d1
      .prepare(
        `UPDATE users SET bounce_count = bounce_count + 1, last_bounce_at = ?2, updated_at = ?2,
           email_status = CASE WHEN email_status = 'blocked' THEN 'blocked'
                               WHEN ?3 = 'hard' OR bounce_count + 1 >= ?4 THEN 'bounced'
                               ELSE email_status END
         WHERE email = ?1 RETURNING id, email_status, bounce_count`,
      )
      .bind(address, at, kind, softLimit),
    d1
      .prepare(
        `INSERT INTO email_notification_history (id, user_id, action, details, timestamp)
         SELECT lower(hex(randomblob(16))), id, 'bounced', json_object('kind', ?2, 'bounceCount', bounce_count, 'emailStatus', email_status), ?3
         FROM users WHERE email = ?1`,
      )
      .bind(address, kind, at),
    statementOf(d1, statisticsUpsertQuery(db, utcDateKey(now), BOUNCE_STATS_TYPE, { totalBounced: 1 }, now)),
  ]);
  const row = updated?.results[0];
  return row ? { userId: row.id, emailStatus: row.email_status, bounceCount: row.bounce_count } : null;
}

export type TrackingEvent = {
  notificationId: string;
  kind: 'opened' | 'clicked';
  url?: string;
  now: Date;
  ipAddress?: string | null;
  userAgent?: string | null;
};

/**
 * An open or a click: a history row every time; the day's statistics only for the first
 * event of that kind for the notification (unique opens and clicks). Returns false when the
 * notification does not exist (nothing is written).
 */
export async function recordTrackingEvent(db: Db, event: TrackingEvent): Promise<boolean> {
  const d1 = d1Of(db);
  const at = toUnixSeconds(event.now);
  const row = await d1
    .prepare(
      `SELECT n.user_id, n.content_type, n.notification_type,
              EXISTS (SELECT 1 FROM email_notification_history h WHERE h.notification_id = n.id AND h.action = ?2) AS seen
       FROM email_notifications n WHERE n.id = ?1`,
    )
    .bind(event.notificationId, event.kind)
    .first<{ user_id: string; content_type: string; notification_type: string; seen: number }>();
  if (!row) return false;
  const statements = [
    d1
      .prepare(
        `INSERT INTO email_notification_history (id, notification_id, user_id, action, details, ip_address, user_agent, timestamp)
         VALUES (lower(hex(randomblob(16))), ?1, ?2, ?3, ?4, ?5, ?6, ?7)`,
      )
      .bind(
        event.notificationId,
        row.user_id,
        event.kind,
        JSON.stringify(event.url ? { url: event.url } : {}),
        event.ipAddress ?? null,
        event.userAgent ?? null,
        at,
      ),
  ];
  if (!row.seen) {
    const statsType = row.notification_type === 'digest' ? 'digest' : row.content_type;
    const counter = event.kind === 'opened' ? { totalOpened: 1 } : { totalClicked: 1 };
    statements.push(statementOf(d1, statisticsUpsertQuery(db, utcDateKey(event.now), statsType, counter, event.now)));
  }
  await d1.batch(statements);
  return true;
}
