import { check, index, integer, sqliteTable, text, uniqueIndex } from 'drizzle-orm/sqlite-core';
import { createdAt, flag, oneOf, updatedAt } from './columns';

export const EMAIL_STATUSES = ['active', 'bounced', 'blocked', 'unsubscribed'] as const;
export const EMAIL_FREQUENCIES = ['immediate', 'daily', 'weekly'] as const;
export type EmailStatus = (typeof EMAIL_STATUSES)[number];
export type EmailFrequency = (typeof EMAIL_FREQUENCIES)[number];
/** `admin` opens the author console (granted by `npx astro-d1-notify admin:grant`, never self-service). */
export const USER_ROLES = ['reader', 'admin'] as const;
export type UserRole = (typeof USER_ROLES)[number];

export const users = sqliteTable(
  'users',
  {
    id: text('id').primaryKey(),
    email: text('email').notNull(),
    /** SHA-256 (hex) of the normalised address: joins `suppressions` without hashing in SQL (db/feedback/suppressions.ts). */
    emailHash: text('email_hash'),
    username: text('username'),
    passwordHash: text('password_hash'),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
    emailBlogUpdates: flag('email_blog_updates'),
    emailThoughtUpdates: flag('email_thought_updates'),
    emailAnnouncements: flag('email_announcements'),
    emailVerified: flag('email_verified'),
    /** SHA-256 hash of the verification token, never the token. */
    emailVerificationToken: text('email_verification_token'),
    emailVerificationExpiresAt: integer('email_verification_expires_at', { mode: 'timestamp' }),
    /** The content types and frequency asked for with the current verification token, written with it (one UPDATE). */
    emailVerificationChoices: text('email_verification_choices', { mode: 'json' }).$type<{ contentTypes: string[]; frequency: string }>(),
    /** When someone last proved they read this mailbox (any emailed link); null = never. No session or password before it. */
    emailProvenAt: integer('email_proven_at', { mode: 'timestamp' }),
    emailStatus: text('email_status', { enum: EMAIL_STATUSES }).notNull().default('active'),
    bounceCount: integer('bounce_count').notNull().default(0),
    lastBounceAt: integer('last_bounce_at', { mode: 'timestamp' }),
    /** Written by delivery before migration 0026 only: since then the notifications' sent_at says it (db/readers/data-rights.ts). */
    lastEmailSentAt: integer('last_email_sent_at', { mode: 'timestamp' }),
    emailFrequency: text('email_frequency', { enum: EMAIL_FREQUENCIES }).notNull().default('immediate'),
    unsubscribeAll: flag('unsubscribe_all'),
    unsubscribedAt: integer('unsubscribed_at', { mode: 'timestamp' }),
    role: text('role', { enum: USER_ROLES }).notNull().default('reader'),
    /** The language of the page where the reader subscribed (BCP 47); null = the site's default. */
    locale: text('locale'),
  },
  (t) => [
    uniqueIndex('users_email_unique').on(t.email),
    uniqueIndex('users_username_unique').on(t.username),
    index('idx_users_email').on(t.email),
    index('idx_users_username').on(t.username),
    index('idx_users_email_verification_token').on(t.emailVerificationToken),
    index('idx_users_email_status').on(t.emailStatus),
    index('idx_users_email_hash').on(t.emailHash),
    // The console's overview: status counts and growth per day (bench/admin-overview.bench.ts).
    index('idx_users_status_verified').on(t.emailStatus, t.emailVerified),
    index('idx_users_created_at').on(t.createdAt),
    index('idx_users_unsubscribed_at').on(t.unsubscribedAt),
    index('idx_users_active_preferences').on(t.emailStatus, t.unsubscribeAll, t.emailVerified, t.emailBlogUpdates, t.emailThoughtUpdates, t.emailAnnouncements),
    check('users_email_status_check', oneOf('email_status', EMAIL_STATUSES)),
    check('users_email_frequency_check', oneOf('email_frequency', EMAIL_FREQUENCIES)),
  ],
);

export const sessions = sqliteTable(
  'sessions',
  {
    /** SHA-256 hash of the session token (hex); the token itself lives only in the cookie. */
    id: text('id').primaryKey(),
    userId: text('user_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    expiresAt: integer('expires_at', { mode: 'timestamp' }).notNull(),
    createdAt: createdAt(),
  },
  (t) => [index('idx_sessions_user_id').on(t.userId), index('idx_sessions_expires_at').on(t.expiresAt)],
);

export const userProfiles = sqliteTable('user_profiles', {
  userId: text('user_id')
    .primaryKey()
    .references(() => users.id, { onDelete: 'cascade' }),
  displayName: text('display_name'),
  bio: text('bio'),
  website: text('website'),
  avatarUrl: text('avatar_url'),
  timezone: text('timezone'),
  createdAt: createdAt(),
  updatedAt: updatedAt(),
});

export type User = typeof users.$inferSelect;
export type NewUser = typeof users.$inferInsert;
export type Session = typeof sessions.$inferSelect;
export type UserProfile = typeof userProfiles.$inferSelect;
