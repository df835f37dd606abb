-- Hand-edited (issue 19): D1 bills rows written, and every index entry a write touches is one. Dropped: indexes another
-- index already serves by its first column(s) (user_id by the fan-out unique index, status by the queue index, history
-- action by action_timestamp, content by progress, scheduled_for by the partial claimable one, processing by queue); retries
-- get a partial index that a pending -> sending -> sent row never touches; unsubscribe tokens lose the expires_at index
-- (the daily retention DELETE scans instead: reads cost D1 a thousandth of writes). Each plan checked with EXPLAIN QUERY PLAN.
DROP INDEX `idx_email_notification_history_action`;--> statement-breakpoint
DROP INDEX `idx_email_notifications_user_id`;--> statement-breakpoint
DROP INDEX `idx_email_notifications_status`;--> statement-breakpoint
DROP INDEX `idx_email_notifications_content`;--> statement-breakpoint
DROP INDEX `idx_email_notifications_scheduled`;--> statement-breakpoint
DROP INDEX `idx_email_notifications_status_retry`;--> statement-breakpoint
DROP INDEX `idx_email_notifications_processing`;--> statement-breakpoint
CREATE INDEX `idx_email_notifications_retry_due` ON `email_notifications` (`next_retry_at`) WHERE status = 'failed';--> statement-breakpoint
DROP INDEX `idx_unsubscribe_tokens_expires_at`;