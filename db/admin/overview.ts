/**
 * The console's overview in ONE round trip: each figure is one named, read-only query
 * (bench/admin-overview.bench.ts times each and prints its plan), run together in a batch.
 * Every query is an index range or a covering-index scan, so the page stays fast at
 * 100,000 readers and 1,000,000 history rows.
 */
import { d1Of, type Db } from '../client';
import { NOTIFICATION_TYPES } from '../schema';
import { toUnixSeconds, DAY } from '../time';

export const GROWTH_DAYS = 90;
export const SENDS_DAYS = 30;
export const RATE_WINDOW_DAYS = 30;
/** The overview's sent and cancelled counts cover notifications queued in the last week. */
export const QUEUE_DONE_DAYS = 7;

/** Provider complaint webhooks write a `complained` history row (db/feedback/events.ts): the overview counts those. */
export const COMPLAINT_FILTER = `action = 'complained'`;

/** name → SQL; parameters: ?1 = window start (Unix s), ?2 = minute start, ?3 = day start, ?4 = stats start (YYYY-MM-DD). */
export const OVERVIEW_QUERIES = {
  subscribersByStatus: `SELECT email_status AS status, email_verified AS verified, count(*) AS n
    FROM users INDEXED BY idx_users_status_verified GROUP BY email_status, email_verified`,
  // Day numbers (Unix days) from integer columns; ?1 is cast so the comparison stays on the index.
  // No count of everyone who joined before the window (most of the table): the status counts
  // already give the total, and the base is total − joined in the window − left before it.
  growth: `SELECT 'leftBefore' AS kind, -1 AS day, count(*) AS n FROM users WHERE unsubscribed_at < CAST(?1 AS INTEGER)
    UNION ALL SELECT 'joined', created_at / 86400, count(*) FROM users WHERE created_at >= CAST(?1 AS INTEGER) GROUP BY created_at / 86400
    UNION ALL SELECT 'left', unsubscribed_at / 86400, count(*) FROM users WHERE unsubscribed_at >= CAST(?1 AS INTEGER) GROUP BY unsubscribed_at / 86400`,
  sendsPerDay: `SELECT date_key AS day, sum(total_sent) AS sent, sum(total_failed) AS failed, sum(total_bounced) AS bounced,
      sum(total_opened) AS opened, sum(total_clicked) AS clicked, sum(total_unsubscribed) AS unsubscribed
    FROM email_statistics WHERE date_key >= ?4 GROUP BY date_key ORDER BY date_key`,
  // The live queue (pending, sending, failed) in full; finished rows (sent, cancelled) queued in the
  // last QUEUE_DONE_DAYS only: counting every row ever sent would grow with the table.
  // Every kind is listed so the created_at range stays on the index (status, notification_type, created_at).
  queueByStatus: `SELECT status, notification_type = 'digest' AS digest, count(*) AS n
      FROM email_notifications INDEXED BY idx_email_notifications_status_type_created
      WHERE status IN ('pending', 'sending', 'failed') GROUP BY status, notification_type
    UNION ALL SELECT status, notification_type = 'digest', count(*)
      FROM email_notifications INDEXED BY idx_email_notifications_status_type_created
      WHERE status IN ('sent', 'cancelled') AND notification_type IN (${NOTIFICATION_TYPES.map((k) => `'${k}'`).join(', ')})
        AND created_at >= ?3 - ${(QUEUE_DONE_DAYS - 1) * DAY} GROUP BY status, notification_type`,
  // Pending rows with a time are digests (immediate rows have none): the partial index covers it all.
  digestSlots: `SELECT scheduled_for AS at, count(*) AS rows
    FROM email_notifications INDEXED BY idx_email_notifications_claimable
    WHERE status = 'pending' AND scheduled_for IS NOT NULL
    GROUP BY scheduled_for ORDER BY scheduled_for LIMIT 5`,
  pacing: `SELECT count(DISTINCT CASE WHEN timestamp >= ?2 THEN details->>'messageId' END) AS minute,
      count(DISTINCT details->>'messageId') AS day
    FROM email_notification_history INDEXED BY idx_email_history_action_timestamp
    WHERE action = 'sent' AND timestamp >= ?3`,
  rates: `SELECT coalesce(sum(total_sent), 0) AS sent, coalesce(sum(total_bounced), 0) AS bounced,
      (SELECT count(*) FROM email_notification_history INDEXED BY idx_email_history_action_timestamp
        WHERE ${COMPLAINT_FILTER} AND timestamp >= ?1 + ${(GROWTH_DAYS - RATE_WINDOW_DAYS) * DAY}) AS complaints
    FROM email_statistics WHERE date_key >= ?4`,
} as const;

export type OverviewQueryName = keyof typeof OVERVIEW_QUERIES;

/** The parameters every overview query is bound with (unused ones are harmless: D1 binds by number). */
export function overviewParams(now: Date): [number, number, number, string] {
  const nowS = toUnixSeconds(now);
  const dayStart = nowS - (nowS % DAY);
  const windowStart = dayStart - (GROWTH_DAYS - 1) * DAY;
  const statsStart = new Date((dayStart - (RATE_WINDOW_DAYS - 1) * DAY) * 1000).toISOString().slice(0, 10);
  return [windowStart, nowS - (nowS % 60), dayStart, statsStart];
}

/** Only the parameters a query uses, in order (D1 refuses extra bindings). */
export function paramsFor(sql: string, params: readonly (number | string)[]): (number | string)[] {
  const used = Math.max(0, ...[...sql.matchAll(/\?(\d)/g)].map((m) => Number(m[1])));
  return params.slice(0, used);
}

export type StatusCounts = { active: number; unconfirmed: number; bounced: number; unsubscribed: number; blocked: number; total: number };
export type DayPoint = { day: string; value: number };
export type SendsDay = { day: string; sent: number; failed: number; bounced: number; opened: number; clicked: number; unsubscribed: number };
export type QueueCounts = Record<'pending' | 'sending' | 'sent' | 'failed' | 'cancelled', { immediate: number; digest: number }>;

export type OverviewData = {
  subscribers: StatusCounts;
  growth: DayPoint[];
  sends: SendsDay[];
  queue: QueueCounts;
  digestSlots: { at: Date; rows: number }[];
  pacing: { thisMinute: number; today: number };
  rates: { sent: number; bounced: number; complaints: number; bounceRate: number; complaintRate: number; windowDays: number };
};

const dayKey = (unixSeconds: number) => new Date(unixSeconds * 1000).toISOString().slice(0, 10);

export async function loadOverview(db: Db, now: Date = new Date()): Promise<OverviewData> {
  const d1 = d1Of(db);
  const params = overviewParams(now);
  const names = Object.keys(OVERVIEW_QUERIES) as OverviewQueryName[];
  const results = await d1.batch(names.map((name) => d1.prepare(OVERVIEW_QUERIES[name]).bind(...paramsFor(OVERVIEW_QUERIES[name], params))));
  const rows = Object.fromEntries(names.map((name, i) => [name, results[i]!.results as Record<string, number | string>[]])) as Record<
    OverviewQueryName,
    Record<string, number | string | null>[]
  >;

  const subscribers: StatusCounts = { active: 0, unconfirmed: 0, bounced: 0, unsubscribed: 0, blocked: 0, total: 0 };
  for (const r of rows.subscribersByStatus) {
    const n = Number(r.n);
    const status = String(r.status);
    const key = status === 'active' ? (Number(r.verified) === 1 ? 'active' : 'unconfirmed') : (status as keyof StatusCounts);
    if (key in subscribers) subscribers[key] += n;
    subscribers.total += n;
  }

  const [windowStart] = params;
  const deltas = new Array<number>(GROWTH_DAYS).fill(0);
  const firstDay = windowStart / DAY;
  let joinedInWindow = 0;
  let leftBefore = 0;
  for (const r of rows.growth) {
    const day = Number(r.day) - firstDay;
    if (r.kind === 'leftBefore') leftBefore = Number(r.n);
    else if (r.kind === 'joined') joinedInWindow += Number(r.n);
    if (r.kind !== 'leftBefore' && day >= 0 && day < GROWTH_DAYS) deltas[day]! += r.kind === 'joined' ? Number(r.n) : -Number(r.n);
  }
  let running = subscribers.total - joinedInWindow - leftBefore;
  const growth = deltas.map((delta, i) => {
    running += delta;
    return { day: dayKey(windowStart + i * DAY), value: running };
  });

  const sends = rows.sendsPerDay.map((r) => ({
    day: String(r.day),
    sent: Number(r.sent),
    failed: Number(r.failed),
    bounced: Number(r.bounced),
    opened: Number(r.opened),
    clicked: Number(r.clicked),
    unsubscribed: Number(r.unsubscribed),
  }));

  const queue = Object.fromEntries(
    (['pending', 'sending', 'sent', 'failed', 'cancelled'] as const).map((s) => [s, { immediate: 0, digest: 0 }]),
  ) as QueueCounts;
  for (const r of rows.queueByStatus) {
    const bucket = queue[String(r.status) as keyof QueueCounts];
    if (bucket) bucket[Number(r.digest) === 1 ? 'digest' : 'immediate'] += Number(r.n);
  }

  const pacingRow = rows.pacing[0] ?? {};
  const rateRow = rows.rates[0] ?? {};
  const sent = Number(rateRow.sent ?? 0);
  const bounced = Number(rateRow.bounced ?? 0);
  const complaints = Number(rateRow.complaints ?? 0);
  return {
    subscribers,
    growth,
    sends,
    queue,
    digestSlots: rows.digestSlots.map((r) => ({ at: new Date(Number(r.at) * 1000), rows: Number(r.rows) })),
    pacing: { thisMinute: Number(pacingRow.minute ?? 0), today: Number(pacingRow.day ?? 0) },
    rates: {
      sent,
      bounced,
      complaints,
      bounceRate: sent > 0 ? bounced / sent : 0,
      complaintRate: sent > 0 ? complaints / sent : 0,
      windowDays: RATE_WINDOW_DAYS,
    },
  };
}
