/** History rows in bulk for the archival tests and benchmark: one recursive-CTE INSERT, no loop. */
import type { SqlStatement } from '../../db/sql-runner';

/**
 * `count` history rows of `userId`, ids `<prefix>-<n>`, timestamps `start + n * step` (seconds),
 * with every column filled so a copy can be compared column by column. `count` must be ≥ 1
 * (the CTE's first row is always there).
 */
export function seedHistoryStatement(o: { count: number; userId: string; prefix: string; start: number; step: number }): SqlStatement {
  if (o.count < 1) throw new RangeError('count must be at least 1');
  return {
    sql: `WITH RECURSIVE seq(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM seq WHERE n < ?)
INSERT INTO email_notification_history (id, notification_id, user_id, action, details, error_code, retry_attempt, ip_address, user_agent, timestamp)
SELECT ? || '-' || n, NULL, ?, CASE n % 3 WHEN 0 THEN 'sent' WHEN 1 THEN 'queued' ELSE 'failed' END,
  json_object('n', n), CASE n % 3 WHEN 2 THEN 'http_500' END, n % 5, '203.0.113.' || (n % 250), 'agent ' || n, ? + n * ?
FROM seq`,
    params: [o.count, o.prefix, o.userId, o.start, o.step],
  };
}

/** Every column of every row, in id order, as one JSON string: equal strings, equal tables. */
export const HISTORY_FINGERPRINT = (table: string) =>
  `SELECT json_group_array(json_array(id, notification_id, user_id, action, details, error_code, retry_attempt, ip_address, user_agent, timestamp)) AS rows
   FROM (SELECT * FROM ${table} ORDER BY id)`;
