/**
 * Proving the mailbox: someone used a link we emailed (subscribe confirmation, sign-in, set
 * password). Nobody holds a session or a password before the first proof (login and session
 * checks require `email_proven_at`), and the first proof revokes whatever was set before it:
 * every session and the password. A stranger who registered an address they do not own keeps
 * nothing once the owner proves it.
 */
import type { Db } from '../../../db/client';
import { markMailboxProven } from '../../../db/readers/mailbox-proof';
import type { User } from '../../../db/schema';

export const isProven = (user: Pick<User, 'emailProvenAt'>): boolean => user.emailProvenAt !== null;

/**
 * Marks the address proven (never a subscription confirmed); on the first proof drops every session and the
 * password; `revokeSessions` drops sessions anyway (a new password signs out everywhere).
 * One batch: the user row and the sessions change together.
 */
export async function recordMailboxProof(db: Db, user: User, now: Date, opts: { newPasswordHash?: string; revokeSessions?: boolean } = {}): Promise<void> {
  const first = !isProven(user);
  const passwordHash = opts.newPasswordHash ?? (first ? null : user.passwordHash);
  await markMailboxProven(db, user.id, { now, passwordHash, revokeSessions: first || opts.revokeSessions === true });
}
