-- Migration 0011: what this design adds to the spec's history.
-- Claim lease and pre-send Message-ID on the queue; the content URL on content items;
-- the content type a one-click token unsubscribes from.
ALTER TABLE `email_notifications` ADD COLUMN `message_id_header` text;
ALTER TABLE `email_notifications` ADD COLUMN `lease_expires_at` integer;
ALTER TABLE `content_items` ADD COLUMN `content_url` text;
ALTER TABLE `unsubscribe_tokens` ADD COLUMN `content_type` text CONSTRAINT "unsubscribe_tokens_content_type_check" CHECK(content_type IN ('blog', 'thought', 'announcement'));

-- The spec's recommended compound indexes (Performance Analysis).
CREATE INDEX `idx_users_active_preferences` ON `users` (`email_status`,`unsubscribe_all`,`email_verified`,`email_blog_updates`,`email_thought_updates`,`email_announcements`);
CREATE INDEX `idx_email_notifications_queue` ON `email_notifications` (`status`,`created_at`);
CREATE INDEX `idx_email_notifications_processing` ON `email_notifications` (`status`,`created_at`,`scheduled_for`);
CREATE INDEX `idx_content_items_unnotified` ON `content_items` (`notification_sent`,`content_type`,`publish_date`);

-- Idempotent fan-out: one notification per (reader, content, notification type).
CREATE UNIQUE INDEX `idx_email_notifications_fanout_unique` ON `email_notifications` (`user_id`,`content_type`,`content_id`,`notification_type`);
-- Claiming stays flat as the queue grows: only pending rows are indexed, likewise expired leases.
CREATE INDEX `idx_email_notifications_claimable` ON `email_notifications` (`scheduled_for`,`created_at`) WHERE status = 'pending';
CREATE INDEX `idx_email_notifications_lease` ON `email_notifications` (`lease_expires_at`) WHERE status = 'sending';
