/**
 * The `rate_limits` table: one row per (bucket, window start) holding the hits counted in it.
 * The rules (limits, windows) are here too, so the daily cleanup knows the longest window;
 * counting hits against them (hashed keys) is integration/server/rate-limit.ts's.
 */
import { and, eq, lt, sql } from 'drizzle-orm';
import type { Db } from '../client';
import { sha256Hex } from '../crypto';
import { changedRows } from '../params';
import { rateLimits } from '../schema';

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

export type RateLimitRule = { name: string; limit: number; windowSeconds: number };

export const RATE_LIMITS = {
  subscribeEmail: { name: 'subscribe:email', limit: 5, windowSeconds: 10 * 60 }, // 5 per 10 minutes
  subscribeIp: { name: 'subscribe:ip', limit: 20, windowSeconds: 10 * 60 }, // 20 per 10 minutes
  registerEmail: { name: 'register:email', limit: 5, windowSeconds: 60 * 60 }, // 5 per hour
  registerIp: { name: 'register:ip', limit: 10, windowSeconds: 60 * 60 }, // 10 per hour
  loginIp: { name: 'login:ip', limit: 30, windowSeconds: 15 * 60 }, // 30 per 15 minutes
  // Wrong passwords per account *and* IP: a stranger elsewhere cannot lock the owner out.
  loginFailure: { name: 'login:fail', limit: 5, windowSeconds: 15 * 60 }, // 5 per 15 minutes
  // Longer windows make the wait grow: 5 more in the hour, then 10 more in the day (progressive).
  loginFailureHour: { name: 'login:fail:hour', limit: 10, windowSeconds: 60 * 60 },
  loginFailureDay: { name: 'login:fail:day', limit: 20, windowSeconds: 24 * 60 * 60 },
  accountLinkIp: { name: 'link:ip', limit: 10, windowSeconds: 60 * 60 }, // 10 per hour, then 429
  // Over this, the same answer and no mail: nobody can flood a mailbox, nor learn whether it is known.
  accountLinkEmail: { name: 'link:email', limit: 5, windowSeconds: 60 * 60 }, // 5 per hour
} as const satisfies Record<string, RateLimitRule>;

/** The longest window of RATE_LIMITS: older rows can no longer refuse anything. */
export const LONGEST_WINDOW_SECONDS = Math.max(...Object.values(RATE_LIMITS).map((r) => r.windowSeconds));

/** Deletes finished windows (for the scheduled job); returns how many rows went. */
export async function cleanupRateLimits(db: Db, now = new Date()): Promise<number> {
  return changedRows(await staleRateLimitsQuery(db, now));
}

/** The DELETE of cleanupRateLimits, unexecuted (for db:retention's batch). */
export function staleRateLimitsQuery(db: Db, now: Date) {
  return windowsBeforeQuery(db, new Date(now.getTime() - LONGEST_WINDOW_SECONDS * 1000));
}
