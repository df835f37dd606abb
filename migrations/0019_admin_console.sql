CREATE TABLE `admin_audit_log` (
	`id` text PRIMARY KEY NOT NULL,
	`actor` text NOT NULL,
	`action` text NOT NULL,
	`target_type` text,
	`target_id` text,
	`details` text,
	`ip_address` text,
	`created_at` integer DEFAULT (unixepoch()) NOT NULL
);
--> statement-breakpoint
CREATE INDEX `idx_admin_audit_created` ON `admin_audit_log` (`created_at`);--> statement-breakpoint
CREATE INDEX `idx_admin_audit_target` ON `admin_audit_log` (`target_type`,`target_id`);--> statement-breakpoint
CREATE TABLE `email_template_versions` (
	`id` text PRIMARY KEY NOT NULL,
	`template_id` text NOT NULL,
	`version` integer NOT NULL,
	`subject_template` text NOT NULL,
	`html_template` text NOT NULL,
	`text_template` text NOT NULL,
	`created_by` text NOT NULL,
	`created_at` integer DEFAULT (unixepoch()) NOT NULL,
	FOREIGN KEY (`template_id`) REFERENCES `email_templates`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE UNIQUE INDEX `idx_email_template_versions_unique` ON `email_template_versions` (`template_id`,`version`);--> statement-breakpoint
ALTER TABLE `users` ADD `role` text DEFAULT 'reader' NOT NULL;--> statement-breakpoint
CREATE INDEX `idx_users_status_verified` ON `users` (`email_status`,`email_verified`);--> statement-breakpoint
CREATE INDEX `idx_users_created_at` ON `users` (`created_at`);--> statement-breakpoint
CREATE INDEX `idx_users_unsubscribed_at` ON `users` (`unsubscribed_at`);--> statement-breakpoint
ALTER TABLE `content_items` ADD `delivery_held` integer DEFAULT false NOT NULL;--> statement-breakpoint
CREATE INDEX `idx_email_history_action_timestamp` ON `email_notification_history` (`action`,`timestamp`);--> statement-breakpoint
CREATE INDEX `idx_email_notifications_status_type` ON `email_notifications` (`status`,`notification_type`);--> statement-breakpoint
CREATE INDEX `idx_email_notifications_progress` ON `email_notifications` (`content_id`,`notification_type`,`status`);