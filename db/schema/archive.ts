import { index, sqliteTable } from 'drizzle-orm/sqlite-core';
import { historyColumns } from './notifications';

/**
 * History older than the retention window (6 months by default), moved here by
 * `npx astro-d1-notify db:archive` (db/content/archive.ts). The same columns as email_notification_history;
 * no foreign key on notification_id (the notification may be gone by then), and no CHECK on
 * action, so rows archived under an older list of actions stay valid. Erasing a reader
 * still removes their archived rows (user_id cascades).
 */
export const emailNotificationHistoryArchive = sqliteTable('email_notification_history_archive', historyColumns(), (t) => [
  index('idx_email_history_archive_user_id').on(t.userId),
  index('idx_email_history_archive_timestamp').on(t.timestamp),
]);

export type EmailNotificationHistoryArchive = typeof emailNotificationHistoryArchive.$inferSelect;
