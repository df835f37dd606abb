/**
 * The write behind integration/server/auth/proof.ts: the address proven, the password set or
 * dropped, and (when asked) every session dropped, in one batch. Proving the mailbox through an
 * account link confirms no subscription: `email_verified` and the preferences are left alone
 * (consent is the owner's own choice, made on /verify or the preferences page).
 */
import { eq } from 'drizzle-orm';
import type { Db } from '../client';
import { sessions, users } from '../schema';

export async function markMailboxProven(db: Db, userId: string, change: { now: Date; passwordHash: string | null; revokeSessions: boolean }): Promise<void> {
  const update = db.update(users).set({ emailProvenAt: change.now, passwordHash: change.passwordHash, updatedAt: change.now }).where(eq(users.id, userId));
  if (change.revokeSessions) await db.batch([db.delete(sessions).where(eq(sessions.userId, userId)), update]);
  else await update;
}
