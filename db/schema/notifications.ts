import { sql } from 'drizzle-orm';
import { check, index, integer, sqliteTable, text, uniqueIndex } from 'drizzle-orm/sqlite-core';
import { createdAt, oneOf } from './columns';
import { users } from './users';

/** `system` is for mail that is about the reader's account (verification), not about content. */
export const NOTIFICATION_CONTENT_TYPES = ['blog', 'thought', 'announcement', 'system'] as const;
export const NOTIFICATION_TYPES = ['new_content', 'announcement', 'digest', 'verification'] as const;
export const NOTIFICATION_STATUSES = ['pending', 'sending', 'sent', 'failed', 'cancelled'] as const;
export const HISTORY_ACTIONS = [
  'queued',
  'sent',
  'failed',
  'retry_scheduled',
  'cancelled',
  'bounced',
  'opened',
  'clicked',
  'subscribed',
  'verified',
  'unsubscribed',
  'preferences_updated',
  'complained',
  /** The provider's delivery confirmation (SES Delivery, Postmark Delivery, Resend email.delivered, Cloudflare delivered). */
  'delivered',
] as const;
export type NotificationStatus = (typeof NOTIFICATION_STATUSES)[number];
export type NotificationType = (typeof NOTIFICATION_TYPES)[number];
export type HistoryAction = (typeof HISTORY_ACTIONS)[number];

export const emailNotifications = sqliteTable(
  'email_notifications',
  {
    id: text('id').primaryKey(),
    userId: text('user_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    contentType: text('content_type', { enum: NOTIFICATION_CONTENT_TYPES }).notNull(),
    contentId: text('content_id').notNull(),
    contentTitle: text('content_title').notNull(),
    contentUrl: text('content_url').notNull(),
    contentExcerpt: text('content_excerpt'),
    notificationType: text('notification_type', { enum: NOTIFICATION_TYPES }).notNull().default('new_content'),
    status: text('status', { enum: NOTIFICATION_STATUSES }).notNull().default('pending'),
    createdAt: createdAt(),
    scheduledFor: integer('scheduled_for', { mode: 'timestamp' }),
    sentAt: integer('sent_at', { mode: 'timestamp' }),
    errorMessage: text('error_message'),
    retryCount: integer('retry_count').notNull().default(0),
    nextRetryAt: integer('next_retry_at', { mode: 'timestamp' }),
    /** The provider's id for the sent message (Gmail's `id`). */
    emailMessageId: text('email_message_id'),
    /** RFC 5322 Message-ID, written before the send so a retry reuses it. */
    messageIdHeader: text('message_id_header'),
    /** A claimed (`sending`) row belongs to its run until this moment; after it, the row is claimable again. */
    leaseExpiresAt: integer('lease_expires_at', { mode: 'timestamp' }),
  },
  (t) => [
    // Every index entry is a row written (D1 bills rows written, indexes included) by the fan-out, the claim and the
    // outcome: migration 0025 dropped those another index already serves (user_id, status, content, scheduled_for,
    // processing) and keeps retries in a partial index that a pending → sending → sent row never touches.
    // user_id lookups (the digest claim, a reader's rows) use this one's first column.
    uniqueIndex('idx_email_notifications_fanout_unique').on(t.userId, t.contentType, t.contentId, t.notificationType),
    // The queue by status and kind (the console's overview), the recent finished ones by created_at: one index for
    // both, so a status change writes one entry here, not two (migration 0026 merged queue and status_type).
    index('idx_email_notifications_status_type_created').on(t.status, t.notificationType, t.createdAt),
    index('idx_email_notifications_retry_due').on(t.nextRetryAt).where(sql`status = 'failed'`),
    index('idx_email_notifications_claimable').on(t.scheduledFor, t.createdAt).where(sql`status = 'pending'`),
    // The console: each post's delivery progress. Not status: each status change would write an entry here too (two
    // rows written per email); the console's count reads the status from the row instead (reads cost a thousandth).
    index('idx_email_notifications_progress').on(t.contentId, t.notificationType),
    index('idx_email_notifications_lease').on(t.leaseExpiresAt).where(sql`status = 'sending'`),
    // Queue mode: rows dispatched to the queue and not yet sent (a live dispatch lease), counted by each dispatch run.
    index('idx_email_notifications_dispatched').on(t.leaseExpiresAt).where(sql`status IN ('pending', 'failed') AND lease_expires_at IS NOT NULL`),
    check('email_notifications_content_type_check', oneOf('content_type', NOTIFICATION_CONTENT_TYPES)),
    check('email_notifications_notification_type_check', oneOf('notification_type', NOTIFICATION_TYPES)),
    check('email_notifications_status_check', oneOf('status', NOTIFICATION_STATUSES)),
  ],
);

/**
 * A history row's columns, fresh builders per table: email_notification_history and its
 * archive (db/schema/archive.ts) must keep the same columns, since db:archive copies rows
 * between them. Only notification_id differs (the archive has no foreign key).
 */
export const historyColumns = (notificationId = text('notification_id')) => ({
  id: text('id').primaryKey(),
  notificationId,
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
});

export const emailNotificationHistory = sqliteTable(
  'email_notification_history',
  historyColumns(text('notification_id').references(() => emailNotifications.id, { onDelete: 'set null' })),
  (t) => [
    index('idx_email_history_notification_id').on(t.notificationId),
    index('idx_email_history_user_id').on(t.userId),
    index('idx_email_history_timestamp').on(t.timestamp),
    // One action over a time range (the console's complaint rate; lookups by action alone use its first column).
    index('idx_email_history_action_timestamp').on(t.action, t.timestamp),
    check('email_notification_history_action_check', oneOf('action', HISTORY_ACTIONS)),
  ],
);

export type EmailNotification = typeof emailNotifications.$inferSelect;
export type NewEmailNotification = typeof emailNotifications.$inferInsert;
export type EmailNotificationHistory = typeof emailNotificationHistory.$inferSelect;
