/**
 * Per-post results for the console: how many readers this post's emails were sent to,
 * delivered to, bounced for, were marked as spam by, failed for, and how many unsubscribed
 * because of it; opens and clicks (unique per reader) when tracking is on. One statement for
 * the counts, one for the readers behind a number: the same `RESULT_ROWS` set in both.
 *
 * "Unsubscribes it caused": an `unsubscribed` history row tied to one of the post's emails
 * (provider feedback carries it), or, for the reader's own unsubscribe (the link carries no
 * email), one within UNSUBSCRIBE_WINDOW_DAYS after the post reached them and before their next email.
 *
 * "Delivered": the provider's delivery confirmation (SES, Postmark, Resend, Cloudflare Email
 * Service) is a `delivered` history row on the email it confirms (db/feedback/events.ts, since
 * migration 0026). Gmail and the dev outbox confirm nothing: there it stays 0.
 */
import { d1Of, type Db } from '../client';

export const RESULT_METRICS = ['sent', 'delivered', 'bounced', 'complained', 'failed', 'unsubscribed', 'opened', 'clicked'] as const;
export type ResultMetric = (typeof RESULT_METRICS)[number];
export type PostResults = Record<ResultMetric, number>;
export const UNSUBSCRIBE_WINDOW_DAYS = 7;
const READERS_LIMIT = 200;

// ?1 the post's slug, ?2 the unsubscribe window in seconds. One row per (metric, reader).
const RESULT_ROWS = `WITH mine AS (
    SELECT id, user_id, status, sent_at FROM email_notifications WHERE content_id = ?1 AND notification_type <> 'verification'
  )
  SELECT 'sent' AS metric, user_id FROM mine WHERE status = 'sent'
  UNION SELECT 'failed', user_id FROM mine WHERE status = 'failed'
  UNION SELECT h.action, h.user_id FROM email_notification_history h JOIN mine m ON h.notification_id = m.id
    WHERE h.action IN ('delivered', 'bounced', 'complained', 'opened', 'clicked', 'unsubscribed')
  UNION SELECT 'unsubscribed', h.user_id FROM mine m JOIN email_notification_history h ON h.user_id = m.user_id
    WHERE m.status = 'sent' AND h.action = 'unsubscribed' AND h.notification_id IS NULL
      AND h.timestamp >= m.sent_at AND h.timestamp < m.sent_at + ?2
      AND NOT EXISTS (SELECT 1 FROM email_notifications later WHERE later.user_id = m.user_id AND later.status = 'sent'
                        AND later.sent_at > m.sent_at AND later.sent_at <= h.timestamp AND later.content_id <> ?1)`;

const windowSeconds = UNSUBSCRIBE_WINDOW_DAYS * 86_400;

const COUNTS = `SELECT metric, count(*) AS n FROM (${RESULT_ROWS}) GROUP BY metric`;
const READERS = `SELECT u.id, u.email FROM (${RESULT_ROWS}) r JOIN users u ON u.id = r.user_id WHERE r.metric = ?3 ORDER BY u.email LIMIT ?4`;

/** The post's counts and, when a metric is asked for, the readers behind it (address order, at most 200): one batch. */
export async function postResults(
  db: Db,
  slug: string,
  metric: ResultMetric | null = null,
): Promise<{ counts: PostResults; readers: { id: string; email: string }[] }> {
  const d1 = d1Of(db);
  const statements = [d1.prepare(COUNTS).bind(slug, windowSeconds)];
  if (metric) statements.push(d1.prepare(READERS).bind(slug, windowSeconds, metric, READERS_LIMIT));
  const [counted, readers] = await d1.batch<Record<string, unknown>>(statements);
  const counts = Object.fromEntries(RESULT_METRICS.map((m) => [m, 0])) as PostResults;
  for (const r of counted!.results as { metric: ResultMetric; n: number }[]) if (r.metric in counts) counts[r.metric] = r.n;
  return { counts, readers: (readers?.results ?? []) as { id: string; email: string }[] };
}

export const isResultMetric = (v: string | null): v is ResultMetric => v !== null && (RESULT_METRICS as readonly string[]).includes(v);
