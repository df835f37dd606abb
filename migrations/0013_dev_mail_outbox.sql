CREATE TABLE `dev_mail_outbox` (
	`id` text PRIMARY KEY NOT NULL,
	`to_address` text NOT NULL,
	`subject` text NOT NULL,
	`message_id_header` text NOT NULL,
	`raw` text NOT NULL,
	`created_at` integer DEFAULT (unixepoch()) NOT NULL
);
--> statement-breakpoint
CREATE INDEX `idx_dev_mail_outbox_created` ON `dev_mail_outbox` (`created_at`);