import { check, index, integer, sqliteTable, text, uniqueIndex } from 'drizzle-orm/sqlite-core';
import { CONTENT_TYPES, createdAt, oneOf } from './columns';
import { users } from './users';

export const TOKEN_TYPES = ['one_click', 'preference_change', 'complete'] as const;
export type TokenType = (typeof TOKEN_TYPES)[number];

export const unsubscribeTokens = sqliteTable(
  'unsubscribe_tokens',
  {
    id: text('id').primaryKey(),
    userId: text('user_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    /** SHA-256 hash (hex) of the token that went out in the link; the raw token is never stored. */
    token: text('token').notNull(),
    tokenType: text('token_type', { enum: TOKEN_TYPES }).notNull(),
    /** For a `one_click` token from a content email: the type it unsubscribes from. Null means everything. */
    contentType: text('content_type', { enum: CONTENT_TYPES }),
    createdAt: createdAt(),
    expiresAt: integer('expires_at', { mode: 'timestamp' }).notNull(),
    usedAt: integer('used_at', { mode: 'timestamp' }),
    ipAddress: text('ip_address'),
    userAgent: text('user_agent'),
  },
  (t) => [
    uniqueIndex('idx_unsubscribe_tokens_token').on(t.token),
    index('idx_unsubscribe_tokens_user_id').on(t.userId),
    // No index on expires_at: two tokens go out per email, and an index entry each is a row written per email;
    // the daily retention DELETE of expired tokens scans the table instead (reads cost D1 a thousandth of writes).
    check('unsubscribe_tokens_token_type_check', oneOf('token_type', TOKEN_TYPES)),
    check('unsubscribe_tokens_content_type_check', oneOf('content_type', CONTENT_TYPES)),
  ],
);

export type UnsubscribeToken = typeof unsubscribeTokens.$inferSelect;
