/**
 * Sessions in the style of Lucia: a random token in the cookie, only its SHA-256 in D1,
 * 30-day sliding expiry extended when fewer than 15 days remain.
 */
import type { Db } from '../../../db/client';
import { randomToken, sha256Hex } from '../../../db/crypto';
import { createSession, deleteSession, extendSession, validateSession } from '../../../db/readers/sessions';
import type { Session, User } from '../../../db/schema';

export const SESSION_TTL_SECONDS = 60 * 60 * 24 * 30; // 30 days
export const SESSION_RENEW_BELOW_SECONDS = 60 * 60 * 24 * 15; // 15 days
const SESSION_TOKEN_BYTES = 32; // 256 bits

type SessionResult = { session: Session; user: User; token: string; renewed: boolean };

export async function createUserSession(db: Db, userId: string, now = new Date()): Promise<{ token: string; expiresAt: Date }> {
  const token = randomToken(SESSION_TOKEN_BYTES);
  const expiresAt = new Date(now.getTime() + SESSION_TTL_SECONDS * 1000);
  await createSession(db, userId, { tokenHash: await sha256Hex(token), expiresAt });
  return { token, expiresAt };
}

/** The session for a cookie token, extended when it is in its second half; null when unknown or expired. */
export async function validateSessionToken(db: Db, token: string, now = new Date()): Promise<SessionResult | null> {
  if (!token || token.length > 256) return null;
  const tokenHash = await sha256Hex(token);
  const found = await validateSession(db, tokenHash, now);
  // No session counts before the mailbox is proven (one made before the fix is void).
  if (!found || found.user.emailProvenAt === null) return null;
  const remainingSeconds = (found.session.expiresAt.getTime() - now.getTime()) / 1000;
  if (remainingSeconds >= SESSION_RENEW_BELOW_SECONDS) return { ...found, token, renewed: false };
  const expiresAt = new Date(now.getTime() + SESSION_TTL_SECONDS * 1000);
  await extendSession(db, tokenHash, expiresAt);
  return { session: { ...found.session, expiresAt }, user: found.user, token, renewed: true };
}

export async function invalidateSessionToken(db: Db, token: string): Promise<void> {
  await deleteSession(db, await sha256Hex(token));
}
