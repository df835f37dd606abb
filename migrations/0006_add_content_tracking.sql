-- Migration 0006: content items registered at build time, with a SHA-256 hash for change detection.
CREATE TABLE `content_items` (
	`id` text PRIMARY KEY NOT NULL,
	`slug` text NOT NULL,
	`content_type` text NOT NULL,
	`title` text NOT NULL,
	`description` text,
	`content_preview` text,
	`publish_date` integer NOT NULL,
	`file_path` text NOT NULL,
	`content_hash` text,
	`notification_sent` integer DEFAULT false NOT NULL,
	`notification_count` integer DEFAULT 0 NOT NULL,
	`created_at` integer DEFAULT (unixepoch()) NOT NULL,
	`updated_at` integer DEFAULT (unixepoch()) NOT NULL,
	`tags` text DEFAULT '[]' NOT NULL,
	CONSTRAINT "content_items_content_type_check" CHECK(content_type IN ('blog', 'thought', 'announcement'))
);
CREATE UNIQUE INDEX `content_items_slug_unique` ON `content_items` (`slug`);
CREATE INDEX `idx_content_items_type_date` ON `content_items` (`content_type`,`publish_date`);
CREATE INDEX `idx_content_items_notification_sent` ON `content_items` (`notification_sent`);
