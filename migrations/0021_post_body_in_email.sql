ALTER TABLE `content_items` ADD `email_html` text;--> statement-breakpoint
ALTER TABLE `content_items` ADD `email_text` text;--> statement-breakpoint
ALTER TABLE `content_items` ADD `author` text;--> statement-breakpoint
ALTER TABLE `content_items` ADD `hero_image` text;