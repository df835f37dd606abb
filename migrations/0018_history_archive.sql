CREATE TABLE `email_notification_history_archive` (
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
	FOREIGN KEY (`user_id`) REFERENCES `users`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE INDEX `idx_email_history_archive_user_id` ON `email_notification_history_archive` (`user_id`);--> statement-breakpoint
CREATE INDEX `idx_email_history_archive_timestamp` ON `email_notification_history_archive` (`timestamp`);