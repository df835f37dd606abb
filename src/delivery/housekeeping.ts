/**
 * Daily housekeeping, run by its own Cron Trigger: expired sessions, unsubscribe tokens
 * past their expiry (60 days, beyond CAN-SPAM's 30), stale rate-limit windows and provider
 * event ids older than 30 days. Each is one set-based DELETE; together they cost four queries a day.
 */
import type { Db } from '../../db/client';
import { cleanupProviderEvents } from '../../db/feedback-events';
import { cleanupExpiredSessions, cleanupExpiredTokens } from '../../db/maintenance';
import { cleanupRateLimits } from '../server/rate-limit';

/** 03:17 UTC daily: off the hour, away from the digest slot. Must match wrangler.jsonc `triggers.crons`. */
export const HOUSEKEEPING_CRON = '17 3 * * *';

export type HousekeepingSummary = { sessions: number; tokens: number; rateLimits: number; providerEvents: number };

export async function runHousekeeping(db: Db, now = new Date()): Promise<HousekeepingSummary> {
  const [sessions, tokens, rateLimits, providerEvents] = await Promise.all([
    cleanupExpiredSessions(db, now),
    cleanupExpiredTokens(db, now),
    cleanupRateLimits(db, now),
    cleanupProviderEvents(db, now),
  ]);
  return { sessions, tokens, rateLimits, providerEvents };
}
