-- Migration 0002: per-content-type email preferences. Opt-in: default off.
ALTER TABLE `users` ADD COLUMN `email_blog_updates` integer DEFAULT false NOT NULL;
ALTER TABLE `users` ADD COLUMN `email_thought_updates` integer DEFAULT false NOT NULL;
