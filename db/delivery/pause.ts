/**
 * The bulk-sending pause: Gmail and Yahoo refuse senders whose complaint rate reaches 0.3%.
 * When complaints over the most recent sends pass that, bulk sending stops and stays stopped
 * (a row in delivery_state) until the author resumes it; complaints from before the resume
 * no longer count.
 */
import { eq } from 'drizzle-orm';
import { d1Of, type Db } from '../client';
import { deliveryState } from '../schema';
import { sqlOnlyDb, toStatement, type SqlRunner } from '../sql-runner';
import { fromUnixSeconds, toUnixSeconds } from '../time';

export const BULK_PAUSE_KEY = 'bulk_pause';
/** Sends the rate is measured over. */
export const COMPLAINT_WINDOW_SENDS = 1_000;
/** 0.3%: the rate Gmail and Yahoo say a sender must never reach. */
export const COMPLAINT_RATE_LIMIT = 0.003;

export type ComplaintRate = { sends: number; complaints: number; rate: number };
export type BulkPause = { paused: boolean; since?: string; resumedAt?: string; reason?: string } & Partial<ComplaintRate>;

export async function getBulkPause(db: Db): Promise<BulkPause> {
  const row = await db.select({ value: deliveryState.value }).from(deliveryState).where(eq(deliveryState.key, BULK_PAUSE_KEY)).get();
  return (row?.value as BulkPause | undefined) ?? { paused: false };
}

const setBulkPauseQuery = (db: Db, value: BulkPause, now: Date) =>
  db
    .insert(deliveryState)
    .values({ key: BULK_PAUSE_KEY, value, updatedAt: now })
    .onConflictDoUpdate({ target: deliveryState.key, set: { value, updatedAt: now } });

async function setBulkPause(db: Db, value: BulkPause, now: Date): Promise<void> {
  await setBulkPauseQuery(db, value, now);
}

/**
 * Complaints (provider events of kind `complaint`, which count even for an erased reader) among
 * the last `window` sent notifications, after `since`. One query through the history's
 * timestamp index.
 */
export async function complaintRate(db: Db, since: Date | null, window = COMPLAINT_WINDOW_SENDS): Promise<ComplaintRate> {
  const after = since ? toUnixSeconds(since) : 0;
  const row = await d1Of(db)
    .prepare(
      `WITH recent AS (
         SELECT timestamp FROM email_notification_history INDEXED BY idx_email_history_timestamp
         WHERE timestamp >= ?1 AND action = 'sent' ORDER BY timestamp DESC LIMIT ?2)
       SELECT (SELECT count(*) FROM recent) AS sends,
              (SELECT count(*) FROM provider_events WHERE kind = 'complaint' AND created_at >= ?1
                 AND created_at >= (SELECT coalesce(min(timestamp), ?1) FROM recent)) AS complaints`,
    )
    .bind(after, window)
    .first<{ sends: number; complaints: number }>();
  const sends = row?.sends ?? 0;
  const complaints = row?.complaints ?? 0;
  return { sends, complaints, rate: sends > 0 ? complaints / sends : 0 };
}

/**
 * Checks the rate and pauses bulk sending when it passes the limit. Returns the state and
 * whether this call is the one that paused it (so the caller logs it once).
 */
export async function checkComplaintRate(db: Db, now: Date): Promise<{ pause: BulkPause; newlyPaused: boolean }> {
  const current = await getBulkPause(db);
  if (current.paused) return { pause: current, newlyPaused: false };
  const measured = await complaintRate(db, current.resumedAt ? new Date(current.resumedAt) : null);
  if (measured.rate <= COMPLAINT_RATE_LIMIT) return { pause: current, newlyPaused: false };
  const pause: BulkPause = {
    paused: true,
    since: now.toISOString(),
    reason:
      `complaint rate ${(measured.rate * 100).toFixed(2)}% ` +
      `(${measured.complaints} of the last ${measured.sends} sends) passed ${COMPLAINT_RATE_LIMIT * 100}%`,
    ...measured,
  };
  await setBulkPause(db, pause, now);
  return { pause, newlyPaused: true };
}

/** The author's decision to send again: complaints before this moment stop counting. */
export async function resumeBulkSending(db: Db, now: Date = new Date()): Promise<BulkPause> {
  const previous = await getBulkPause(db);
  const resumed: BulkPause = { paused: false, resumedAt: fromUnixSeconds(toUnixSeconds(now)).toISOString() };
  await setBulkPause(db, resumed, now);
  return previous;
}

/**
 * The same decision on any SqlRunner (local D1, the D1 HTTP API): the CLI's
 * `delivery:resume`. Writes only when sending is paused; returns the state before.
 */
export async function resumeBulkSendingOn(runner: SqlRunner, now: Date = new Date()): Promise<BulkPause> {
  const [row] = await runner.query<{ value: string | null }>(
    toStatement(sqlOnlyDb.select({ value: deliveryState.value }).from(deliveryState).where(eq(deliveryState.key, BULK_PAUSE_KEY))),
  );
  const previous = row?.value ? (JSON.parse(row.value) as BulkPause) : { paused: false };
  if (!previous.paused) return previous;
  const resumed: BulkPause = { paused: false, resumedAt: fromUnixSeconds(toUnixSeconds(now)).toISOString() };
  await runner.batch([toStatement(setBulkPauseQuery(sqlOnlyDb, resumed, now))]);
  return previous;
}
