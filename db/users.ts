import { eq } from 'drizzle-orm';
import type { Db } from './client';
import { newId } from './crypto';
import { EMAIL_FREQUENCIES, users, type EmailFrequency, type User } from './schema';

/** Emails are stored and looked up trimmed and lower-cased (DESIGN.md "IDs/Emails"). */
export const normalizeEmail = (email: string): string => email.trim().toLowerCase();
export const normalizeUsername = (username: string): string => username.trim().toLowerCase();

const EMAIL_SHAPE = /^[^\s@]+@[^\s@]+$/;
const MAX_EMAIL_LENGTH = 254; // RFC 5321 path limit

export type CreateUserParams = {
  email: string;
  username?: string | null;
  passwordHash?: string | null;
  emailBlogUpdates?: boolean;
  emailThoughtUpdates?: boolean;
  emailAnnouncements?: boolean;
  emailFrequency?: EmailFrequency;
  emailVerified?: boolean;
};

/** Throws a plain, readable error for input that must never reach the database. */
function assertValidUserInput(email: string, params: CreateUserParams): void {
  if (!EMAIL_SHAPE.test(email) || email.length > MAX_EMAIL_LENGTH) throw new Error(`Invalid email address: "${email}"`);
  if (params.emailFrequency !== undefined && !EMAIL_FREQUENCIES.includes(params.emailFrequency)) {
    throw new Error(`Invalid email frequency: "${params.emailFrequency}"`);
  }
}

/** Creates a user; a second user whose email differs only in case fails on the unique index. */
export async function createUser(db: Db, params: CreateUserParams): Promise<User> {
  const email = normalizeEmail(params.email);
  assertValidUserInput(email, params);
  const username = params.username == null ? null : normalizeUsername(params.username);
  const [user] = await db
    .insert(users)
    .values({
      id: newId(),
      email,
      username: username === '' ? null : username,
      passwordHash: params.passwordHash ?? null,
      emailBlogUpdates: params.emailBlogUpdates ?? false,
      emailThoughtUpdates: params.emailThoughtUpdates ?? false,
      emailAnnouncements: params.emailAnnouncements ?? false,
      emailFrequency: params.emailFrequency ?? 'immediate',
      emailVerified: params.emailVerified ?? false,
    })
    .returning();
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
