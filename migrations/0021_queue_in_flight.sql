-- Migration 0021: queue mode counts what is in flight (dispatched, not yet sent) through this partial index, small in cron mode.
CREATE INDEX `idx_email_notifications_dispatched` ON `email_notifications` (`lease_expires_at`) WHERE status IN ('pending', 'failed') AND lease_expires_at IS NOT NULL;
