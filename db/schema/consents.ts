import { check, index, integer, sqliteTable, text } from 'drizzle-orm/sqlite-core';
import { createdAt, oneOf } from './columns';
import { users } from './users';

/** Where a consent was given: the subscribe form, the JSON API, account registration, an author's import. */
export const CONSENT_SOURCES = ['subscribe_form', 'api', 'register', 'admin_import'] as const;
export type ConsentSource = (typeof CONSENT_SOURCES)[number];

/** The wording shown to readers, one row per version (integration/server/consent-text.ts holds the current one). */
export const consentTexts = sqliteTable('consent_texts', {
  version: text('version').primaryKey(),
  text: text('text').notNull(),
  createdAt: createdAt(),
});

/**
 * One row per subscription event (GDPR Art. 7: the controller must be able to show consent).
 * Erased with the reader (cascade): after erasure only the suppression hash remains.
 */
export const consents = sqliteTable(
  'consents',
  {
    id: text('id').primaryKey(),
    userId: text('user_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    source: text('source', { enum: CONSENT_SOURCES }).notNull(),
    /** What the reader chose: `{ contentTypes, frequency }`. */
    choices: text('choices', { mode: 'json' }).notNull().$type<{ contentTypes: string[]; frequency: string }>(),
    textVersion: text('text_version')
      .notNull()
      .references(() => consentTexts.version),
    ipAddress: text('ip_address'),
    userAgent: text('user_agent'),
    requestedAt: integer('requested_at', { mode: 'timestamp' }).notNull(),
    confirmedAt: integer('confirmed_at', { mode: 'timestamp' }),
    /** SHA-256 of the verification token sent for this request, so confirming stamps this row; cleared then. */
    verificationTokenHash: text('verification_token_hash'),
  },
  (t) => [
    index('idx_consents_user_id').on(t.userId, t.requestedAt),
    index('idx_consents_verification_token').on(t.verificationTokenHash),
    check('consents_source_check', oneOf('source', CONSENT_SOURCES)),
  ],
);

export type Consent = typeof consents.$inferSelect;
