import { and, eq, gt, lte } from 'drizzle-orm';
import type { Db } from '../client';
import { changedRows } from '../params';
import { sessions, users, type Session, type User } from '../schema';

/**
 * Stores a session under the hash of its cookie token; making the token and hashing it
 * (`sha256Hex(randomToken())`) is the caller's job, so the raw token never reaches this layer.
 */
export async function createSession(db: Db, userId: string, { tokenHash, expiresAt }: { tokenHash: string; expiresAt: Date }): Promise<Session> {
  if (!tokenHash) throw new Error('createSession: tokenHash is required');
  const [session] = await db.insert(sessions).values({ id: tokenHash, userId, expiresAt }).returning();
  if (!session) throw new Error('createSession: the insert returned no row');
  return session;
}

/** The session and its user, or null when the session is unknown or expired (expired ones are refused, not deleted). */
export async function validateSession(db: Db, tokenHash: string, now: Date = new Date()): Promise<{ session: Session; user: User } | null> {
  const [row] = await db
    .select({ session: sessions, user: users })
    .from(sessions)
    .innerJoin(users, eq(users.id, sessions.userId))
    .where(and(eq(sessions.id, tokenHash), gt(sessions.expiresAt, now)))
    .limit(1);
  return row ?? null;
}

export async function deleteSession(db: Db, tokenHash: string): Promise<boolean> {
  return changedRows(await db.delete(sessions).where(eq(sessions.id, tokenHash))) > 0;
}

/** Sliding expiry: moves a session's end; false when it does not exist. */
export async function extendSession(db: Db, tokenHash: string, expiresAt: Date): Promise<boolean> {
  return changedRows(await db.update(sessions).set({ expiresAt }).where(eq(sessions.id, tokenHash))) > 0;
}

/** Signs a user out everywhere (e.g. after a password change). Returns how many sessions ended. */
export async function deleteUserSessions(db: Db, userId: string): Promise<number> {
  return changedRows(await db.delete(sessions).where(eq(sessions.userId, userId)));
}

/**
 * Deletes sessions whose expiry has passed. The original system binds `Date.now()` (milliseconds)
 * against `expires_at` (seconds), which deletes every session; Drizzle's timestamp mode
 * binds `now` as seconds here, so seconds are compared with seconds.
 */
export async function cleanupExpiredSessions(db: Db, now: Date = new Date()): Promise<number> {
  return changedRows(await expiredSessionsQuery(db, now));
}

/** The DELETE of cleanupExpiredSessions, unexecuted: `npx astro-d1-notify db:retention` batches its toSQL(). */
export const expiredSessionsQuery = (db: Db, now: Date) => db.delete(sessions).where(lte(sessions.expiresAt, now));
