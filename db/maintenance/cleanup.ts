import { lt, lte } from 'drizzle-orm';
import type { Db } from '../client';
import { changedRows } from '../params';
import { emailNotificationHistory, unsubscribeTokens } from '../schema';

export { cleanupExpiredSessions } from '../readers/sessions';

/**
 * Deletes unsubscribe tokens past their expiry (used or not): after it, a link only
 * needs to say "expired", which an unknown token also does.
 */
export async function cleanupExpiredTokens(db: Db, now: Date = new Date()): Promise<number> {
  return changedRows(await expiredTokensQuery(db, now));
}

/** The DELETE of cleanupExpiredTokens, unexecuted (for db:retention's batch). */
export const expiredTokensQuery = (db: Db, now: Date) => db.delete(unsubscribeTokens).where(lte(unsubscribeTokens.expiresAt, now));

/** Deletes audit rows older than `olderThan` (the original system's archival keeps 6 months). */
export async function purgeOldHistory(db: Db, olderThan: Date): Promise<number> {
  return changedRows(await db.delete(emailNotificationHistory).where(lt(emailNotificationHistory.timestamp, olderThan)));
}
