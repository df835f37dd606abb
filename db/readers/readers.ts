/**
 * The subscribe step's write: find or create the reader by address. Equal work on every path
 * (test/reader-subscribe-timing.test.ts): ONE upsert that writes a row whether the address is
 * new, known, confirmed or blocked, so the time says nothing about the address.
 *
 * Consent comes from the mailbox owner: a subscribe request changes nothing about an existing
 * reader (preferences, status, email_verified stay), and a new reader starts with every
 * preference off. The choices travel with the verification token and apply only when the link
 * is used (db/readers/verification-tokens.ts).
 */
import { sql } from 'drizzle-orm';
import type { Db } from '../client';
import { addressHash, newId } from '../crypto';
import { NO_PREFERENCES } from '../delivery/eligibility';
import { users, type ContentType, type EmailFrequency, type User } from '../schema';

export type ReaderRequest = { email: string; contentTypes: readonly ContentType[]; frequency: EmailFrequency; locale?: string | null };

/**
 * Finds or creates the reader in ONE upsert that writes a row on every path (a new row, or the
 * same hash back onto the existing one), so unknown, known and blocked addresses cost the same.
 * The language of the page is stored on a new reader; a known reader's stays (a stranger typing
 * the address cannot change it), except one never set.
 */
export async function upsertReader(db: Db, input: ReaderRequest, now: Date): Promise<{ user: User; created: boolean }> {
  const id = newId();
  // The suppression list is keyed by this hash: every reader row carries it (db/feedback/suppressions.ts).
  const emailHash = await addressHash(input.email);
  const [user] = await db
    .insert(users)
    .values({ id, email: input.email, emailHash, ...NO_PREFERENCES, emailVerified: false, locale: input.locale ?? null, updatedAt: now })
    .onConflictDoUpdate({ target: users.email, set: { emailHash: sql`excluded.email_hash`, locale: sql`coalesce(${users.locale}, excluded.locale)` } })
    .returning();
  if (!user) throw new Error('subscribe: the upsert returned no row');
  return { user, created: user.id === id };
}
