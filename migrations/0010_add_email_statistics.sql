-- Migration 0010: daily statistics per content type.
CREATE TABLE `email_statistics` (
	`id` text PRIMARY KEY NOT NULL,
	`date_key` text NOT NULL,
	`content_type` text NOT NULL,
	`total_sent` integer DEFAULT 0 NOT NULL,
	`total_delivered` integer DEFAULT 0 NOT NULL,
	`total_bounced` integer DEFAULT 0 NOT NULL,
	`total_failed` integer DEFAULT 0 NOT NULL,
	`total_opened` integer DEFAULT 0 NOT NULL,
	`total_clicked` integer DEFAULT 0 NOT NULL,
	`total_unsubscribed` integer DEFAULT 0 NOT NULL,
	`created_at` integer DEFAULT (unixepoch()) NOT NULL,
	`updated_at` integer DEFAULT (unixepoch()) NOT NULL
);
CREATE UNIQUE INDEX `idx_email_statistics_date_type` ON `email_statistics` (`date_key`,`content_type`);
CREATE INDEX `idx_email_statistics_date` ON `email_statistics` (`date_key`);
