import { check, index, integer, sqliteTable, text, uniqueIndex } from 'drizzle-orm/sqlite-core';
import { createdAt, oneOf } from './columns';
import { users } from './users';

/** Emailed account links: `sign_in` signs in, `set_password` sets a new password (register, reset). */
export const ACCOUNT_TOKEN_PURPOSES = ['sign_in', 'set_password'] as const;
export type AccountTokenPurpose = (typeof ACCOUNT_TOKEN_PURPOSES)[number];

export const accountTokens = sqliteTable(
  'account_tokens',
  {
    id: text('id').primaryKey(),
    userId: text('user_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    /** SHA-256 hash (hex) of the token in the link; the raw token is never stored. */
    tokenHash: text('token_hash').notNull(),
    purpose: text('purpose', { enum: ACCOUNT_TOKEN_PURPOSES }).notNull(),
    createdAt: createdAt(),
    expiresAt: integer('expires_at', { mode: 'timestamp' }).notNull(),
    usedAt: integer('used_at', { mode: 'timestamp' }),
  },
  (t) => [
    uniqueIndex('idx_account_tokens_token_hash').on(t.tokenHash),
    index('idx_account_tokens_user_id').on(t.userId),
    index('idx_account_tokens_expires_at').on(t.expiresAt),
    check('account_tokens_purpose_check', oneOf('purpose', ACCOUNT_TOKEN_PURPOSES)),
  ],
);

export type AccountToken = typeof accountTokens.$inferSelect;
