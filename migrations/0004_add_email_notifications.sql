-- Migration 0004: the notification queue.
-- The status list includes `sending` (a claimed row under a lease, see 0011) and the
-- content/notification types include the design's digest and verification mail.
CREATE TABLE `email_notifications` (
	`id` text PRIMARY KEY NOT NULL,
	`user_id` text NOT NULL,
	`content_type` text NOT NULL,
	`content_id` text NOT NULL,
	`content_title` text NOT NULL,
	`content_url` text NOT NULL,
	`content_excerpt` text,
	`notification_type` text DEFAULT 'new_content' NOT NULL,
	`status` text DEFAULT 'pending' NOT NULL,
	`created_at` integer DEFAULT (unixepoch()) NOT NULL,
	`scheduled_for` integer,
	`sent_at` integer,
	`error_message` text,
	`retry_count` integer DEFAULT 0 NOT NULL,
	`next_retry_at` integer,
	`email_message_id` text,
	FOREIGN KEY (`user_id`) REFERENCES `users`(`id`) ON UPDATE no action ON DELETE cascade,
	CONSTRAINT "email_notifications_content_type_check" CHECK(content_type IN ('blog', 'thought', 'announcement', 'system')),
	CONSTRAINT "email_notifications_notification_type_check" CHECK(notification_type IN ('new_content', 'announcement', 'digest', 'verification')),
	CONSTRAINT "email_notifications_status_check" CHECK(status IN ('pending', 'sending', 'sent', 'failed', 'cancelled'))
);
CREATE INDEX `idx_email_notifications_user_id` ON `email_notifications` (`user_id`);
CREATE INDEX `idx_email_notifications_status` ON `email_notifications` (`status`);
CREATE INDEX `idx_email_notifications_content` ON `email_notifications` (`content_type`,`content_id`);
CREATE INDEX `idx_email_notifications_scheduled` ON `email_notifications` (`scheduled_for`);
CREATE INDEX `idx_email_notifications_status_retry` ON `email_notifications` (`status`,`next_retry_at`);
