/**
 * Daily housekeeping, run by its own Cron Trigger: expired sessions, unsubscribe tokens
 * past their expiry (60 days, beyond CAN-SPAM's 30), expired sign-in and password links,
 * stale rate-limit windows, provider event ids older than 30 days, and the token hashes of
 * consent records never confirmed. Each is one set-based statement; six queries a day.
 * `runRetention` (`npx astro-d1-notify db:retention`, local or remote) runs the same DELETEs, plus the
 * dev outbox, as one batch on any SqlRunner.
 */
import { cleanupExpiredAccountTokens, expiredAccountTokensQuery } from '../../db/readers/account-tokens';
import type { Db } from '../../db/client';
import { staleConsentTokensQuery } from '../../db/readers/consent';
import { changedRows } from '../../db/params';
import { cleanupProviderEvents, oldProviderEventsStatement } from '../../db/feedback/events';
import { oldDevMailQuery } from '../../db/delivery/dev-mail';
import { cleanupExpiredSessions, cleanupExpiredTokens, expiredTokensQuery } from '../../db/maintenance/cleanup';
import { expiredSessionsQuery } from '../../db/readers/sessions';
import { sqlOnlyDb, toStatement, type SqlRunner, type SqlStatement } from '../../db/sql-runner';
import { cleanupRateLimits, staleRateLimitsQuery } from '../../db/readers/rate-limits';

/** 03:17 UTC daily: off the hour, away from the digest slot. Must match wrangler.jsonc `triggers.crons`. */
export const HOUSEKEEPING_CRON = '17 3 * * *';

type HousekeepingSummary = { sessions: number; tokens: number; accountTokens: number; rateLimits: number; providerEvents: number; consentTokens: number };

export async function runHousekeeping(db: Db, now = new Date()): Promise<HousekeepingSummary> {
  const [sessions, tokens, accountTokens, rateLimits, providerEvents, consentTokens] = await Promise.all([
    cleanupExpiredSessions(db, now),
    cleanupExpiredTokens(db, now),
    cleanupExpiredAccountTokens(db, now),
    cleanupRateLimits(db, now),
    cleanupProviderEvents(db, now),
    staleConsentTokensQuery(db, now).then(changedRows),
  ]);
  return { sessions, tokens, accountTokens, rateLimits, providerEvents, consentTokens };
}

/** The dev outbox keeps this many days by default (`npx astro-d1-notify db:retention --outbox-days N`). */
export const DEFAULT_OUTBOX_DAYS = 14;
const DAY_MS = 24 * 60 * 60 * 1000;

export type RetentionSummary = HousekeepingSummary & { devOutbox: number };

/** Housekeeping's DELETEs plus the dev outbox (older than `outboxDays`) as statements. */
export function retentionStatements(now: Date, outboxDays = DEFAULT_OUTBOX_DAYS): SqlStatement[] {
  if (!Number.isInteger(outboxDays) || outboxDays < 0) throw new RangeError('outbox days must be a whole number of 0 or more');
  // The very DELETEs housekeeping runs, built (not run) by Drizzle, so both share one definition.
  return [
    toStatement(expiredSessionsQuery(sqlOnlyDb, now)),
    toStatement(expiredTokensQuery(sqlOnlyDb, now)),
    toStatement(expiredAccountTokensQuery(sqlOnlyDb, now)),
    toStatement(staleRateLimitsQuery(sqlOnlyDb, now)),
    oldProviderEventsStatement(now),
    toStatement(staleConsentTokensQuery(sqlOnlyDb, now)),
    toStatement(oldDevMailQuery(sqlOnlyDb, new Date(now.getTime() - outboxDays * DAY_MS))),
  ];
}

/** One transaction: everything expired goes, or nothing does. */
export async function runRetention(db: SqlRunner, options: { now?: Date; outboxDays?: number } = {}): Promise<RetentionSummary> {
  const [sessions = 0, tokens = 0, accountTokens = 0, rateLimits = 0, providerEvents = 0, consentTokens = 0, devOutbox = 0] = await db.batch(
    retentionStatements(options.now ?? new Date(), options.outboxDays),
  );
  return { sessions, tokens, accountTokens, rateLimits, providerEvents, consentTokens, devOutbox };
}
