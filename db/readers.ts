/**
 * The subscribe step's write: find or create the reader by address. Equal work on every path
 * (test/reader-subscribe-timing.test.ts): ONE upsert that writes a row whether the address is
 * new, known, confirmed or blocked, so the time says nothing about the address.
 */
import { sql } from 'drizzle-orm';
import type { Db } from './client';
import { addressHash, newId } from './crypto';
import { PREFERENCE_FIELD, PREFERENCE_SQL_COLUMN, preferenceFlags, takesNewSettingsSql } from './eligibility';
import { CONTENT_TYPES, users, type ContentType, type EmailFrequency, type User } from './schema';

export type ReaderRequest = { email: string; contentTypes: readonly ContentType[]; frequency: EmailFrequency };

// Who gets the requested settings now: anyone not already receiving mail and not blocked. A
// reader receiving mail keeps their settings until they confirm; a blocked row is untouched.
const TAKES_NEW_SETTINGS = takesNewSettingsSql('"users"');
const settingOrKept = (column: string) => sql.raw(`CASE WHEN ${TAKES_NEW_SETTINGS} THEN excluded."${column}" ELSE "users"."${column}" END`);

/**
 * Finds or creates the reader in ONE upsert that writes a row on every path (a new row, new
 * settings, or the same values back), so unknown, known and blocked addresses cost the same.
 */
export async function upsertReader(db: Db, input: ReaderRequest, now: Date): Promise<{ user: User; created: boolean }> {
  const id = newId();
  // The suppression list is keyed by this hash: every reader row carries it (db/suppressions.ts).
  const emailHash = await addressHash(input.email);
  const [user] = await db
    .insert(users)
    .values({ id, email: input.email, emailHash, ...preferenceFlags(input.contentTypes), emailFrequency: input.frequency, emailVerified: false, updatedAt: now })
    .onConflictDoUpdate({
      target: users.email,
      set: {
        emailHash: sql`excluded.email_hash`,
        emailVerified: settingOrKept('email_verified'),
        ...Object.fromEntries(CONTENT_TYPES.map((t) => [PREFERENCE_FIELD[t], settingOrKept(PREFERENCE_SQL_COLUMN[t])])),
        emailFrequency: settingOrKept('email_frequency'),
        updatedAt: settingOrKept('updated_at'),
      },
    })
    .returning();
  if (!user) throw new Error('subscribe: the upsert returned no row');
  return { user, created: user.id === id };
}
