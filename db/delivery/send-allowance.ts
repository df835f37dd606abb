/**
 * Pacing reservations, shared by every sender: the processor's runs (cron, API route, CLI)
 * and, later, each Queues consumer. A sender reserves up to `want` emails before claiming
 * work, sends at most what it was granted, then releases what it did not use.
 *
 * The reservation is ONE statement (an upsert whose values are computed from the row it
 * replaces): D1 runs a statement atomically, so two runs reserving at the same moment are
 * serialised and together never exceed the per-minute rate or the daily cap. Emails already
 * recorded as sent (this minute's history, today's statistics) count as a floor, so a window that
 * began before this table existed (or a sender that did not reserve) is still respected.
 */
import { d1Of, type Db } from '../client';
import { toUnixSeconds, utcDateKey } from '../time';

export type PacingLimits = { ratePerMinute: number; dailyCap: number }; // 0 = unlimited
export type Reservation = { granted: number; minuteUsed: number; dayUsed: number };

export const DEFAULT_SENDER = 'default';

const MS_PER_MINUTE = 60_000;
const MS_PER_DAY = 86_400_000;
const windowsOf = (now: Date) => ({
  minute: toUnixSeconds(new Date(Math.floor(now.getTime() / MS_PER_MINUTE) * MS_PER_MINUTE)),
  day: toUnixSeconds(new Date(Math.floor(now.getTime() / MS_PER_DAY) * MS_PER_DAY)),
});

// ?1 sender, ?2 minute start, ?3 day start, ?4 wanted, ?5 rate per minute (0 = none), ?6 daily cap
// (0 = none), ?7 the day's statistics key. The floor reads the minute's sent history (at most a
// minute of rows) and the day's counters in email_statistics (a row per content type), so a
// reservation costs the same with 100 or 1,000,000 emails sent today.
const RESERVE = `
WITH sent AS (
  SELECT (SELECT count(DISTINCT details->>'messageId') FROM email_notification_history INDEXED BY idx_email_history_timestamp
           WHERE timestamp >= ?2 AND action = 'sent') AS minute,
         (SELECT coalesce(sum(total_sent), 0) FROM email_statistics WHERE date_key = ?7) AS day
),
used AS (
  SELECT max(coalesce((SELECT minute_used FROM send_allowance WHERE sender = ?1 AND minute_start = ?2), 0), sent.minute) AS mu,
         max(coalesce((SELECT day_used FROM send_allowance WHERE sender = ?1 AND day_start = ?3), 0), sent.day) AS du
  FROM sent
),
grant_ AS (
  SELECT mu, du, max(0, min(?4,
    CASE WHEN ?5 > 0 THEN ?5 - mu ELSE ?4 END,
    CASE WHEN ?6 > 0 THEN ?6 - du ELSE ?4 END)) AS n
  FROM used
)
INSERT INTO send_allowance (sender, minute_start, minute_used, day_start, day_used, last_grant)
SELECT ?1, ?2, mu + n, ?3, du + n, n FROM grant_ WHERE true
ON CONFLICT (sender) DO UPDATE SET
  minute_start = excluded.minute_start, minute_used = excluded.minute_used,
  day_start = excluded.day_start, day_used = excluded.day_used, last_grant = excluded.last_grant
RETURNING last_grant AS granted, minute_used AS minuteUsed, day_used AS dayUsed`;

// Gives back what a reservation did not use, in the windows it was taken from only.
const RELEASE = `
UPDATE send_allowance SET
  minute_used = CASE WHEN minute_start = ?2 THEN max(0, minute_used - ?4) ELSE minute_used END,
  day_used = CASE WHEN day_start = ?3 THEN max(0, day_used - ?4) ELSE day_used END
WHERE sender = ?1`;

/** Reserves up to `want` emails now; `granted` may be 0 (then the caller waits). */
export async function reserveSendAllowance(
  db: Db,
  { want, now, limits, sender = DEFAULT_SENDER }: { want: number; now: Date; limits: PacingLimits; sender?: string },
): Promise<Reservation> {
  const { minute, day } = windowsOf(now);
  const row = await d1Of(db)
    .prepare(RESERVE)
    .bind(sender, minute, day, Math.max(0, Math.floor(want)), Math.max(0, limits.ratePerMinute), Math.max(0, limits.dailyCap), utcDateKey(now))
    .first<Reservation>();
  if (!row) throw new Error('reserveSendAllowance: the upsert returned no row');
  return row;
}

/** Returns `unused` emails of a reservation made at `reservedAt` (a no-op once its windows have passed). */
export async function releaseSendAllowance(
  db: Db,
  { unused, reservedAt, sender = DEFAULT_SENDER }: { unused: number; reservedAt: Date; sender?: string },
): Promise<void> {
  if (unused <= 0) return;
  const { minute, day } = windowsOf(reservedAt);
  await d1Of(db).prepare(RELEASE).bind(sender, minute, day, unused).run();
}

/** A Queues consumer's grant: whole emails, and when a short one may ask again. */
export type SendGrant = { granted: number; retryAt?: Date };

/**
 * "Reserve N sends now" for a Queues consumer: the same allowance as the processor's runs (one
 * store, so cron, the API route and every consumer share one limit). The consumer then runs the
 * processor with its own pacing off, so nothing is reserved twice. A short grant says when to
 * ask again: the next minute, or the next UTC day once the daily cap is spent.
 */
export async function reserveSends(db: Db, requested: number, limits: PacingLimits, now: Date): Promise<SendGrant> {
  if (requested <= 0) return { granted: 0 };
  const reservation = await reserveSendAllowance(db, { want: requested, now, limits });
  if (reservation.granted >= requested) return { granted: reservation.granted };
  const { minute, day } = windowsOf(now);
  const dayFull = limits.dailyCap > 0 && reservation.dayUsed >= limits.dailyCap;
  const retryAt = dayFull ? day + MS_PER_DAY / 1000 : minute + MS_PER_MINUTE / 1000;
  return { granted: reservation.granted, retryAt: new Date(retryAt * 1000) };
}
