-- Hand-edited (issue 20). Approval mode: a post a build adds may wait for the author (awaiting_approval) and
-- be scheduled (send_at). Delivered per post: a provider's delivery confirmation becomes a history row of the email
-- it confirms. SQLite cannot change a CHECK in place: the history table is rebuilt with its rows, with the indexes
-- 0025 kept (not the action index it dropped). As in 0017, D1 ignores PRAGMA foreign_keys inside its migration
-- transaction; the foreign-key checks are deferred instead.
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
CREATE INDEX `idx_email_history_timestamp` ON `email_notification_history` (`timestamp`);--> statement-breakpoint
CREATE INDEX `idx_email_history_action_timestamp` ON `email_notification_history` (`action`,`timestamp`);--> statement-breakpoint
ALTER TABLE `content_items` ADD `awaiting_approval` integer DEFAULT false NOT NULL;--> statement-breakpoint
ALTER TABLE `content_items` ADD `send_at` integer;