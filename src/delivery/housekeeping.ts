/**
 * Daily housekeeping, run by its own Cron Trigger: expired sessions, unsubscribe tokens
 * past their expiry (60 days, beyond CAN-SPAM's 30), expired sign-in and password links,
 * and stale rate-limit windows. Each is one set-based DELETE; four queries a day.
 */
import { cleanupExpiredAccountTokens } from '../../db/account-tokens';
import type { Db } from '../../db/client';
import { cleanupExpiredSessions, cleanupExpiredTokens } from '../../db/maintenance';
import { cleanupRateLimits } from '../server/rate-limit';

/** 03:17 UTC daily: off the hour, away from the digest slot. Must match wrangler.jsonc `triggers.crons`. */
export const HOUSEKEEPING_CRON = '17 3 * * *';

export type HousekeepingSummary = { sessions: number; tokens: number; accountTokens: number; rateLimits: number };

export async function runHousekeeping(db: Db, now = new Date()): Promise<HousekeepingSummary> {
  const [sessions, tokens, accountTokens, rateLimits] = await Promise.all([
    cleanupExpiredSessions(db, now),
    cleanupExpiredTokens(db, now),
    cleanupExpiredAccountTokens(db, now),
    cleanupRateLimits(db, now),
  ]);
  return { sessions, tokens, accountTokens, rateLimits };
}
