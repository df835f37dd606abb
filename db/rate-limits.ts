/**
 * The `rate_limits` table: one row per (bucket, window start) holding the hits counted in it.
 * The rules (limits, windows, hashed keys) are integration/server/rate-limit.ts's.
 */
import { and, eq, lt, sql } from 'drizzle-orm';
import type { Db } from './client';
import { rateLimits } from './schema';

/** Counts one hit in the window: inserts its row or adds one, and reads the new count back (one statement). */
export async function countHit(db: Db, bucket: string, windowStart: Date): Promise<number> {
  const [row] = await db
    .insert(rateLimits)
    .values({ bucket, windowStart, count: 1 })
    .onConflictDoUpdate({ target: [rateLimits.bucket, rateLimits.windowStart], set: { count: sql`${rateLimits.count} + 1` } })
    .returning({ count: rateLimits.count });
  return row?.count ?? 1;
}

/** The window's count without counting a hit. */
export async function hitsIn(db: Db, bucket: string, windowStart: Date): Promise<number> {
  const row = await db.query.rateLimits.findFirst({ where: and(eq(rateLimits.bucket, bucket), eq(rateLimits.windowStart, windowStart)) });
  return row?.count ?? 0;
}

/** The DELETE of windows that started before `cutoff`, unexecuted (for a batch). */
export const windowsBeforeQuery = (db: Db, cutoff: Date) => db.delete(rateLimits).where(lt(rateLimits.windowStart, cutoff));
