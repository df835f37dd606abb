/** SQL shared by the bench worker (D1 in workerd) and the raw node:sqlite ceiling (a child process). */

/**
 * N eligible, verified, immediate blog readers from a recursive CTE: one statement, no loop.
 * Ids are random 21-character strings like real nanoids (sorted ids would flatter every
 * index keyed by user_id).
 */
export const SEED_USERS_SQL = `
WITH RECURSIVE seq(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM seq WHERE n < ?1)
INSERT INTO users (id, email, email_blog_updates, email_verified, email_status, email_frequency, unsubscribe_all)
SELECT substr(lower(hex(randomblob(11))), 1, 21), 'reader' || n || '@bench.test', 1, 1, 'active', 'immediate', 0 FROM seq`;

export const CLEAR_QUEUE_SQL = ['DELETE FROM email_notification_history', 'DELETE FROM email_notifications'];
