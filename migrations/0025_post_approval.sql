ALTER TABLE `content_items` ADD `awaiting_approval` integer DEFAULT false NOT NULL;--> statement-breakpoint
ALTER TABLE `content_items` ADD `send_at` integer;