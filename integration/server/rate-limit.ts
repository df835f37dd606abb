/**
 * Fixed-window rate limits counted in D1 (`rate_limits`), so every isolate sees the same
 * count. One statement per check: insert the window's row or add one to it, and read the
 * new count back.
 */
import type { Db } from '../../db/client';
import { sha256Hex } from '../../db/crypto';
import { changedRows } from '../../db/params';
import { bucketSegment, countHit, hitsIn, windowsBeforeQuery } from '../../db/rate-limits';

type RateLimitRule = { name: string; limit: number; windowSeconds: number };

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

type RateLimitResult = { allowed: boolean; count: number; retryAfterSeconds: number };

/** Counts one hit against `rule` for `key` (an IP or an email, hashed so no address is stored). */
export async function hitRateLimit(db: Db, rule: RateLimitRule, key: string, now = new Date()): Promise<RateLimitResult> {
  const nowSeconds = Math.floor(now.getTime() / 1000);
  const windowStartSeconds = nowSeconds - (nowSeconds % rule.windowSeconds);
  const count = await countHit(db, await bucketOf(rule, key), new Date(windowStartSeconds * 1000));
  return {
    allowed: count <= rule.limit,
    count,
    retryAfterSeconds: Math.max(1, windowStartSeconds + rule.windowSeconds - nowSeconds),
  };
}

/**
 * `name:<hash of the key>`; a compound key `address\nip` becomes `name:<hash of the address>:<hash
 * of both>`, so every bucket that names an address carries that address's hash as one segment
 * and erasure can delete them all (addressBucketsQuery in db/rate-limits.ts).
 */
async function bucketOf(rule: RateLimitRule, key: string): Promise<string> {
  const newline = key.indexOf('\n');
  if (newline === -1) return `${rule.name}:${await bucketSegment(key)}`;
  return `${rule.name}:${await bucketSegment(key.slice(0, newline))}:${(await sha256Hex(key)).slice(0, 16)}`;
}

/** Reads the current window's count without counting a hit (for limits that count failures only). */
export async function peekRateLimit(db: Db, rule: RateLimitRule, key: string, now = new Date()): Promise<RateLimitResult> {
  const nowSeconds = Math.floor(now.getTime() / 1000);
  const windowStartSeconds = nowSeconds - (nowSeconds % rule.windowSeconds);
  const count = await hitsIn(db, await bucketOf(rule, key), new Date(windowStartSeconds * 1000));
  return { allowed: count < rule.limit, count, retryAfterSeconds: Math.max(1, windowStartSeconds + rule.windowSeconds - nowSeconds) };
}

/** Checks several limits (every one is counted); the first refusal wins. */
export async function hitRateLimits(
  db: Db,
  checks: ReadonlyArray<readonly [RateLimitRule, string]>,
  now = new Date(),
): Promise<RateLimitResult> {
  let result: RateLimitResult = { allowed: true, count: 0, retryAfterSeconds: 0 };
  for (const [rule, key] of checks) {
    const r = await hitRateLimit(db, rule, key, now);
    if (!r.allowed && result.allowed) result = r;
  }
  return result;
}

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
