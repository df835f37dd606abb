-- Hand-edited (issue 19): one index for the queue by status, kind and age instead of two (status, created_at) and
-- (status, notification_type): every status change (claim, outcome) wrote an entry in both; the progress index loses
-- status for the same reason. The overview lists every kind so its created_at range stays on the index. Delivery no
-- longer writes users.last_email_sent_at (the notifications' sent_at says it).
DROP INDEX `idx_email_notifications_queue`;--> statement-breakpoint
DROP INDEX `idx_email_notifications_status_type`;--> statement-breakpoint
DROP INDEX `idx_email_notifications_progress`;--> statement-breakpoint
CREATE INDEX `idx_email_notifications_status_type_created` ON `email_notifications` (`status`,`notification_type`,`created_at`);--> statement-breakpoint
CREATE INDEX `idx_email_notifications_progress` ON `email_notifications` (`content_id`,`notification_type`);