/**
 * Fixed-window rate limits counted in D1 (`rate_limits`), so every isolate sees the same
 * count. One statement per check: insert the window's row or add one to it, and read the
 * new count back.
 */
import type { Db } from '../../db/client';
import { sha256Hex } from '../../db/crypto';
import { bucketSegment, countHit, hitsIn, type RateLimitRule } from '../../db/readers/rate-limits';

// The rules live beside their table (db/readers/rate-limits.ts), so the daily cleanup (delivery/) needs nothing from here.
export { cleanupRateLimits, LONGEST_WINDOW_SECONDS, RATE_LIMITS } from '../../db/readers/rate-limits';

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
 * and erasure can delete them all (addressBucketsQuery in db/readers/rate-limits.ts).
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
export async function hitRateLimits(db: Db, checks: ReadonlyArray<readonly [RateLimitRule, string]>, now = new Date()): Promise<RateLimitResult> {
  let result: RateLimitResult = { allowed: true, count: 0, retryAfterSeconds: 0 };
  for (const [rule, key] of checks) {
    const r = await hitRateLimit(db, rule, key, now);
    if (!r.allowed && result.allowed) result = r;
  }
  return result;
}
