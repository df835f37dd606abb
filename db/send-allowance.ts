/**
 * "Reserve N sends now": the one global limit every queue consumer goes through, so the
 * provider's per-minute rate and daily cap hold however many consumers run at once.
 *
 * Counters live in `rate_limits` (buckets `send:minute` keyed by the minute's start, `send:day`
 * keyed by the UTC day's END, so daily housekeeping, which drops windows that started over an
 * hour ago, cannot reset the day's count), so no table of its own is needed. The grant is computed from the current counts
 * and both counters are raised by it in ONE `batch()`: D1 runs a batch as one transaction
 * on a single-threaded database, so two consumers can never both take the last slots.
 * A grant is whole: rows that end up cancelled still used their slot (conservative).
 */
import { d1Of, type Db } from './client';
import { toUnixSeconds } from './time';

const SECONDS_PER_MINUTE = 60;
const SECONDS_PER_DAY = 86_400;
export const SEND_MINUTE_BUCKET = 'send:minute';
export const SEND_DAY_BUCKET = 'send:day';

export type SendLimits = { ratePerMinute: number; dailyCap: number }; // 0 = unlimited
export type Reservation = {
  /** Sends granted now (0 ≤ granted ≤ requested). */
  granted: number;
  /** When a short grant may be asked for again: the next minute, or the next UTC day when the cap is spent. */
  retryAt?: Date;
};

// ?1 requested, ?2 minute start, ?3 day end (the day bucket's key), ?4 rate per minute (0 = none), ?5 daily cap (0 = none).
const GRANT = `max(0, min(?1,
  CASE WHEN ?4 > 0 THEN ?4 - coalesce((SELECT count FROM rate_limits WHERE bucket = '${SEND_MINUTE_BUCKET}' AND window_start = ?2), 0) ELSE ?1 END,
  CASE WHEN ?5 > 0 THEN ?5 - coalesce((SELECT count FROM rate_limits WHERE bucket = '${SEND_DAY_BUCKET}' AND window_start = ?3), 0) ELSE ?1 END))`;
const DAY_LEFT = `CASE WHEN ?5 > 0 THEN ?5 - coalesce((SELECT count FROM rate_limits WHERE bucket = '${SEND_DAY_BUCKET}' AND window_start = ?3), 0) ELSE ?1 END`;

const SELECT_GRANT = `SELECT ${GRANT} AS granted, ${DAY_LEFT} AS day_left`;
// The SELECT reads rate_limits, so SQLite computes both rows before writing either.
const RESERVE = `INSERT INTO rate_limits (bucket, window_start, count)
  SELECT w.bucket, w.start, ${GRANT} FROM (SELECT '${SEND_MINUTE_BUCKET}' AS bucket, ?2 AS start UNION ALL SELECT '${SEND_DAY_BUCKET}', ?3) AS w
  WHERE ${GRANT} > 0
  ON CONFLICT (bucket, window_start) DO UPDATE SET count = count + excluded.count`;

export async function reserveSends(db: Db, requested: number, limits: SendLimits, now: Date): Promise<Reservation> {
  if (requested <= 0) return { granted: 0 };
  const seconds = toUnixSeconds(now);
  const minute = seconds - (seconds % SECONDS_PER_MINUTE);
  const day = seconds - (seconds % SECONDS_PER_DAY);
  const params = [requested, minute, day + SECONDS_PER_DAY, Math.max(0, limits.ratePerMinute), Math.max(0, limits.dailyCap)] as const;
  const d1 = d1Of(db);
  const [selected] = await d1.batch<{ granted: number; day_left: number }>([
    d1.prepare(SELECT_GRANT).bind(...params),
    d1.prepare(RESERVE).bind(...params),
  ]);
  const row = selected!.results[0]!;
  if (row.granted >= requested) return { granted: row.granted };
  const dayAfterGrant = row.day_left - row.granted;
  const retryAt = limits.dailyCap > 0 && dayAfterGrant <= 0 ? day + SECONDS_PER_DAY : minute + SECONDS_PER_MINUTE;
  return { granted: row.granted, retryAt: new Date(retryAt * 1000) };
}
