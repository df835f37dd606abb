/**
 * The `rate_limits` table: one row per (bucket, window start) holding the hits counted in it.
 * The rules (limits, windows, hashed keys) are integration/server/rate-limit.ts's.
 */
import { and, eq, lt, sql } from 'drizzle-orm';
import type { Db } from './client';
import { sha256Hex } from './crypto';
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

/** The hashed form of a key inside a bucket name (32 hex characters of its SHA-256). */
export const bucketSegment = async (key: string): Promise<string> => (await sha256Hex(key)).slice(0, 32);

/**
 * Every bucket naming this (normalised) address, for erasure's batch: after it, nothing in
 * rate_limits points at the address. `?1` is `:<segment>`, matched as a whole segment.
 */
export const ADDRESS_BUCKETS_DELETE = 'DELETE FROM rate_limits WHERE instr(bucket, ?1) > 0';
export const addressBucketParam = async (email: string): Promise<string> => `:${await bucketSegment(email)}`;
