-- Hand-edited (issue 20): a provider's delivery confirmation becomes a history row of the email
-- it confirms, so a post's results count "delivered" readers. SQLite cannot change a CHECK in
-- place: the table is rebuilt with its rows. As in 0017, D1 ignores PRAGMA foreign_keys inside its
-- migration transaction; the foreign-key checks are deferred instead.
PRAGMA defer_foreign_keys = on;--> statement-breakpoint
CREATE TABLE `__new_email_notification_history` (
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
	CONSTRAINT "email_notification_history_action_check" CHECK(action IN ('queued', 'sent', 'failed', 'retry_scheduled', 'cancelled', 'bounced', 'opened', 'clicked', 'subscribed', 'verified', 'unsubscribed', 'preferences_updated', 'complained', 'delivered'))
);
--> statement-breakpoint
INSERT INTO `__new_email_notification_history`("id", "notification_id", "user_id", "action", "details", "error_code", "retry_attempt", "ip_address", "user_agent", "timestamp") SELECT "id", "notification_id", "user_id", "action", "details", "error_code", "retry_attempt", "ip_address", "user_agent", "timestamp" FROM `email_notification_history`;--> statement-breakpoint
DROP TABLE `email_notification_history`;--> statement-breakpoint
ALTER TABLE `__new_email_notification_history` RENAME TO `email_notification_history`;--> statement-breakpoint
PRAGMA defer_foreign_keys = off;--> statement-breakpoint
CREATE INDEX `idx_email_history_notification_id` ON `email_notification_history` (`notification_id`);--> statement-breakpoint
CREATE INDEX `idx_email_history_user_id` ON `email_notification_history` (`user_id`);--> statement-breakpoint
CREATE INDEX `idx_email_notification_history_action` ON `email_notification_history` (`action`);--> statement-breakpoint
CREATE INDEX `idx_email_history_timestamp` ON `email_notification_history` (`timestamp`);--> statement-breakpoint
CREATE INDEX `idx_email_history_action_timestamp` ON `email_notification_history` (`action`,`timestamp`);