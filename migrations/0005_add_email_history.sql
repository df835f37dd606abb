-- Migration 0005: audit trail of every email event.
-- notification_id is nullable: account events (subscribed, preferences_updated, ...) belong to no email.
CREATE TABLE `email_notification_history` (
	`id` text PRIMARY KEY NOT NULL,
	`notification_id` text,
	`user_id` text NOT NULL,
	`action` text NOT NULL,
	`details` text,
	`error_code` text,
	`retry_attempt` integer,
	`ip_address` text,
	`user_agent` text,
	`timestamp` integer DEFAULT (unixepoch()) NOT NULL,
	FOREIGN KEY (`notification_id`) REFERENCES `email_notifications`(`id`) ON UPDATE no action ON DELETE set null,
	FOREIGN KEY (`user_id`) REFERENCES `users`(`id`) ON UPDATE no action ON DELETE cascade,
	CONSTRAINT "email_notification_history_action_check" CHECK(action IN ('queued', 'sent', 'failed', 'retry_scheduled', 'cancelled', 'bounced', 'opened', 'clicked', 'subscribed', 'verified', 'unsubscribed', 'preferences_updated'))
);
CREATE INDEX `idx_email_history_notification_id` ON `email_notification_history` (`notification_id`);
CREATE INDEX `idx_email_history_user_id` ON `email_notification_history` (`user_id`);
CREATE INDEX `idx_email_notification_history_action` ON `email_notification_history` (`action`);
CREATE INDEX `idx_email_history_timestamp` ON `email_notification_history` (`timestamp`);
