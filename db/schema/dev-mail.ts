import { index, sqliteTable, text } from 'drizzle-orm/sqlite-core';
import { createdAt } from './columns';

/**
 * The local outbox of the dev capture transport: in development every message is
 * stored here instead of leaving the machine, and /dev/mail shows it. Never written
 * in production (MAIL_TRANSPORT is not 'dev' there).
 */
export const devMailOutbox = sqliteTable(
  'dev_mail_outbox',
  {
    id: text('id').primaryKey(),
    toAddress: text('to_address').notNull(),
    subject: text('subject').notNull(),
    messageIdHeader: text('message_id_header').notNull(),
    /** The complete RFC 5322 message as sent (CRLF line endings). */
    raw: text('raw').notNull(),
    createdAt: createdAt(),
  },
  (t) => [index('idx_dev_mail_outbox_created').on(t.createdAt)],
);

export type DevMail = typeof devMailOutbox.$inferSelect;
