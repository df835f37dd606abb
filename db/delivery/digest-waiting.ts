/**
 * Digest rows waiting for their slot: pending, `notification_type = 'digest'`, scheduled
 * after now. They are not "remaining" (not due), so a run's summary says nothing of them;
 * `npx astro-d1-notify notify` reports them, and its dev-only `--digests-now` makes them due at once.
 */
import { d1Of, type Db } from '../client';
import { fromUnixSeconds, toUnixSeconds } from '../time';

const WAITING = `status = 'pending' AND notification_type = 'digest' AND scheduled_for > ?1`;

export async function waitingDigests(db: Db, now: Date): Promise<{ waiting: number; nextSlotAt: Date | null }> {
  const row = await d1Of(db)
    .prepare(`SELECT count(*) AS n, min(scheduled_for) AS next FROM email_notifications WHERE ${WAITING}`)
    .bind(toUnixSeconds(now))
    .first<{ n: number; next: number | null }>();
  return { waiting: row?.n ?? 0, nextSlotAt: row?.next == null ? null : fromUnixSeconds(row.next) };
}

/** Development only: every waiting digest row becomes due now. Returns how many. */
export async function makeDigestsDueNow(db: Db, now: Date): Promise<number> {
  const result = await d1Of(db).prepare(`UPDATE email_notifications SET scheduled_for = ?1 WHERE ${WAITING}`).bind(toUnixSeconds(now)).run();
  return result.meta.changes ?? 0;
}
