-- Migration 0009: verification, bounces, status, frequency and global unsubscribe on users.
ALTER TABLE `users` ADD COLUMN `email_verified` integer DEFAULT false NOT NULL;
ALTER TABLE `users` ADD COLUMN `email_verification_token` text;
ALTER TABLE `users` ADD COLUMN `email_verification_expires_at` integer;
ALTER TABLE `users` ADD COLUMN `email_status` text DEFAULT 'active' NOT NULL CONSTRAINT "users_email_status_check" CHECK(email_status IN ('active', 'bounced', 'blocked', 'unsubscribed'));
ALTER TABLE `users` ADD COLUMN `bounce_count` integer DEFAULT 0 NOT NULL;
ALTER TABLE `users` ADD COLUMN `last_bounce_at` integer;
ALTER TABLE `users` ADD COLUMN `last_email_sent_at` integer;
ALTER TABLE `users` ADD COLUMN `email_frequency` text DEFAULT 'immediate' NOT NULL CONSTRAINT "users_email_frequency_check" CHECK(email_frequency IN ('immediate', 'daily', 'weekly'));
ALTER TABLE `users` ADD COLUMN `unsubscribe_all` integer DEFAULT false NOT NULL;
ALTER TABLE `users` ADD COLUMN `unsubscribed_at` integer;
CREATE INDEX `idx_users_email_verification_token` ON `users` (`email_verification_token`);
CREATE INDEX `idx_users_email_status` ON `users` (`email_status`);
