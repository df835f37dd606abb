-- Migration 0008: unsubscribe tokens. `token` holds the SHA-256 hash of the link's token, never the token.
CREATE TABLE `unsubscribe_tokens` (
	`id` text PRIMARY KEY NOT NULL,
	`user_id` text NOT NULL,
	`token` text NOT NULL,
	`token_type` text NOT NULL,
	`created_at` integer DEFAULT (unixepoch()) NOT NULL,
	`expires_at` integer NOT NULL,
	`used_at` integer,
	`ip_address` text,
	`user_agent` text,
	FOREIGN KEY (`user_id`) REFERENCES `users`(`id`) ON UPDATE no action ON DELETE cascade,
	CONSTRAINT "unsubscribe_tokens_token_type_check" CHECK(token_type IN ('one_click', 'preference_change', 'complete'))
);
CREATE UNIQUE INDEX `idx_unsubscribe_tokens_token` ON `unsubscribe_tokens` (`token`);
CREATE INDEX `idx_unsubscribe_tokens_user_id` ON `unsubscribe_tokens` (`user_id`);
CREATE INDEX `idx_unsubscribe_tokens_expires_at` ON `unsubscribe_tokens` (`expires_at`);
