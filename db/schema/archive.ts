import { sql } from 'drizzle-orm';
import { index, integer, sqliteTable, text } from 'drizzle-orm/sqlite-core';
import { HISTORY_ACTIONS } from './notifications';
import { users } from './users';

/**
 * History older than the retention window (6 months by default), moved here by
 * `npm run db:archive` (db/archive.ts). The same columns as email_notification_history;
 * no foreign key on notification_id (the notification may be gone by then), and no CHECK on
 * action, so rows archived under an older list of actions stay valid. Erasing a reader
 * still removes their archived rows (user_id cascades).
 */
export const emailNotificationHistoryArchive = sqliteTable(
  'email_notification_history_archive',
  {
    id: text('id').primaryKey(),
    notificationId: text('notification_id'),
    userId: text('user_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    action: text('action', { enum: HISTORY_ACTIONS }).notNull(),
    details: text('details', { mode: 'json' }).$type<Record<string, unknown>>(),
    errorCode: text('error_code'),
    retryAttempt: integer('retry_attempt'),
    ipAddress: text('ip_address'),
    userAgent: text('user_agent'),
    timestamp: integer('timestamp', { mode: 'timestamp' }).notNull().default(sql`(unixepoch())`),
  },
  (t) => [
    index('idx_email_history_archive_user_id').on(t.userId),
    index('idx_email_history_archive_timestamp').on(t.timestamp),
  ],
);

export type EmailNotificationHistoryArchive = typeof emailNotificationHistoryArchive.$inferSelect;
