/**
 * Emailed account links (sign in, set a password): 256 random bits in the link, only the
 * SHA-256 stored, 15 minutes, single use (a conditional UPDATE decides who spends it).
 */
import { and, eq, gt, isNull, lte } from 'drizzle-orm';
import type { Db } from '../client';
import { newId, randomToken, sha256Hex } from '../crypto';
import { changedRows } from '../params';
import { accountTokens, users, type AccountToken, type AccountTokenPurpose, type User } from '../schema';

export const ACCOUNT_LINK_TTL_SECONDS = 15 * 60; // 15 minutes

export async function issueAccountToken(db: Db, userId: string, purpose: AccountTokenPurpose, now = new Date()): Promise<string> {
  const token = randomToken();
  await db.insert(accountTokens).values({
    id: newId(),
    userId,
    tokenHash: await sha256Hex(token),
    purpose,
    createdAt: now,
    expiresAt: new Date(now.getTime() + ACCOUNT_LINK_TTL_SECONDS * 1000),
  });
  return token;
}

export type AccountTokenState = { state: 'valid'; row: AccountToken; user: User } | { state: 'expired' } | { state: 'unknown' };

/**
 * Read-only: what a link stands for. A token of another purpose is `unknown` (a sign-in link
 * never sets a password); a used one is `unknown` too, as for verification links.
 */
export async function inspectAccountToken(db: Db, raw: string | null, purpose: AccountTokenPurpose, now = new Date()): Promise<AccountTokenState> {
  if (!raw) return { state: 'unknown' };
  const [found] = await db
    .select({ row: accountTokens, user: users })
    .from(accountTokens)
    .innerJoin(users, eq(users.id, accountTokens.userId))
    .where(and(eq(accountTokens.tokenHash, await sha256Hex(raw)), eq(accountTokens.purpose, purpose)))
    .limit(1);
  if (!found || found.row.usedAt) return { state: 'unknown' };
  if (found.row.expiresAt.getTime() <= now.getTime()) return { state: 'expired' };
  return { state: 'valid', ...found };
}

/** Spends the token; true for exactly one of any number of concurrent callers. */
export async function spendAccountToken(db: Db, id: string, now = new Date()): Promise<boolean> {
  const result = await db
    .update(accountTokens)
    .set({ usedAt: now })
    .where(and(eq(accountTokens.id, id), isNull(accountTokens.usedAt), gt(accountTokens.expiresAt, now)));
  return changedRows(result) === 1;
}

/** Housekeeping: links past their expiry can never be used; returns how many went. */
export async function cleanupExpiredAccountTokens(db: Db, now = new Date()): Promise<number> {
  return changedRows(await expiredAccountTokensQuery(db, now));
}

/** The DELETE of cleanupExpiredAccountTokens, unexecuted (for db:retention's batch). */
export const expiredAccountTokensQuery = (db: Db, now: Date) => db.delete(accountTokens).where(lte(accountTokens.expiresAt, now));
