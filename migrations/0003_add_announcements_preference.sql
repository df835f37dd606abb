-- Migration 0003: announcements preference, same pattern as 0002.
ALTER TABLE `users` ADD COLUMN `email_announcements` integer DEFAULT false NOT NULL;
