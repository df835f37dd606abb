import { eq } from 'drizzle-orm';
import type { Db } from '../client';
import { addressHash, newId } from '../crypto';
import { PREFERENCE_FIELD, preferenceFlags, type PreferenceFlags } from '../delivery/eligibility';
import { CONTENT_TYPES, EMAIL_FREQUENCIES, users, type EmailFrequency, type NewUser, type User } from '../schema';

import { emailAddressProblem, normalizeEmail } from './email-address';

/** Emails are stored and looked up trimmed, NFC and lower-cased (db/readers/email-address.ts). */
export { normalizeEmail };
export const normalizeUsername = (username: string): string => username.trim().toLowerCase();

export type CreateUserParams = Partial<PreferenceFlags> & {
  email: string;
  username?: string | null;
  passwordHash?: string | null;
  emailFrequency?: EmailFrequency;
  emailVerified?: boolean;
  /** The language of the page the reader signed up on (integration/i18n); null: the site's default. */
  locale?: string | null;
};

/** Throws a plain, readable error for input that must never reach the database. */
function assertValidUserInput(email: string, params: CreateUserParams): void {
  if (emailAddressProblem(email) !== null) throw new Error(`Invalid email address: "${email}"`);
  if (params.emailFrequency !== undefined && !EMAIL_FREQUENCIES.includes(params.emailFrequency)) {
    throw new Error(`Invalid email frequency: "${params.emailFrequency}"`);
  }
}

/** A second account for an email (or username) that is already taken. */
export class DuplicateUserError extends Error {
  constructor(readonly field: 'email' | 'username') {
    super(`A user with this ${field} already exists`);
    this.name = 'DuplicateUserError';
  }
}

/** The column a UNIQUE failure on `users` names, looking through Drizzle's "Failed query" wrapper. */
function duplicateField(error: unknown): 'email' | 'username' | null {
  for (let e: unknown = error; e instanceof Error; e = e.cause) {
    const match = /UNIQUE constraint failed: users\.(email|username)/.exec(e.message);
    if (match) return match[1] as 'email' | 'username';
  }
  return null;
}

/** Creates a user; a second user whose email differs only in case fails on the
 * unique index and is reported as a DuplicateUserError. */
export async function createUser(db: Db, params: CreateUserParams): Promise<User> {
  const email = normalizeEmail(params.email);
  assertValidUserInput(email, params);
  const username = params.username == null ? null : normalizeUsername(params.username);
  const insert = db
    .insert(users)
    .values({
      id: newId(),
      email,
      emailHash: await addressHash(email),
      username: username === '' ? null : username,
      passwordHash: params.passwordHash ?? null,
      ...preferenceFlags(CONTENT_TYPES.filter((t) => params[PREFERENCE_FIELD[t]] === true)),
      emailFrequency: params.emailFrequency ?? 'immediate',
      emailVerified: params.emailVerified ?? false,
      locale: params.locale ?? null,
    })
    .returning();
  const [user] = await insert.catch((error: unknown) => {
    const field = duplicateField(error);
    throw field ? new DuplicateUserError(field) : error;
  });
  if (!user) throw new Error('createUser: the insert returned no row');
  return user;
}

export async function getUserByEmail(db: Db, email: string): Promise<User | undefined> {
  return db.query.users.findFirst({ where: eq(users.email, normalizeEmail(email)) });
}

export async function getUserById(db: Db, id: string): Promise<User | undefined> {
  return db.query.users.findFirst({ where: eq(users.id, id) });
}

export async function getUserByUsername(db: Db, username: string): Promise<User | undefined> {
  return db.query.users.findFirst({ where: eq(users.username, normalizeUsername(username)) });
}

/** A reader row as a host's seed gives it: the id and the address hash are made here. */
export type SeedReader = Omit<NewUser, 'id' | 'emailHash'>;

/**
 * Readers in ONE multi-row INSERT (the demo's `npm run db:seed`); an email already there is left
 * as it is, so running it twice changes nothing. Returns the emails it created.
 */
export async function insertReadersIfAbsent(db: Db, readers: SeedReader[]): Promise<string[]> {
  if (readers.length === 0) return [];
  const rows = await Promise.all(
    readers.map(async (reader) => {
      const email = normalizeEmail(reader.email);
      return { ...reader, id: newId(), email, emailHash: await addressHash(email) };
    }),
  );
  const created = await db.insert(users).values(rows).onConflictDoNothing({ target: users.email }).returning({ email: users.email });
  return created.map((r) => r.email);
}
