/**
 * The console's subscribers: search and filters (shared by the list and the CSV export), a
 * reader's page (settings + history timeline), and the author's actions on a reader. Each
 * action is one batch(): the change, cancelled pending mail, the reader's history row, and
 * the audit row with the actor.
 */
import { QUEUED_NOT_STORED } from '../delivery/history';
import { d1Of, type Db } from '../client';
import { adminAuditStatement } from './audit';
import { isContentType, NO_PREFERENCES_SET_SQL, PREFERENCE_SQL_COLUMN, preferenceOnSql } from '../delivery/eligibility';
import { CONTENT_TYPES, EMAIL_FREQUENCIES, type ContentType, type EmailFrequency, type User } from '../schema';
import { toUnixSeconds } from '../time';

export const SUBSCRIBER_STATUSES = ['active', 'unconfirmed', 'bounced', 'unsubscribed', 'blocked'] as const;
export type SubscriberStatus = (typeof SUBSCRIBER_STATUSES)[number];

/** `importId`: the readers one import created or updated (the import's done page links there). */
export type SubscriberFilters = { q?: string; status?: SubscriberStatus; contentType?: ContentType; frequency?: EmailFrequency; importId?: string };

const MAX_QUERY_LENGTH = 254;

/** Reads filters from a query string, dropping anything unknown (never an error: a bad filter is no filter). */
export function parseSubscriberFilters(params: URLSearchParams): SubscriberFilters {
  const q = params
    .get('q')
    ?.trim()
    .toLowerCase()
    .replace(/[\u0000-\u001f\u007f]/g, '')
    .slice(0, MAX_QUERY_LENGTH);
  const status = params.get('status') ?? '';
  const type = params.get('type') ?? '';
  const frequency = params.get('frequency') ?? '';
  const importId = params.get('import') ?? '';
  return {
    ...(q ? { q } : {}),
    ...((SUBSCRIBER_STATUSES as readonly string[]).includes(status) ? { status: status as SubscriberStatus } : {}),
    ...(isContentType(type) ? { contentType: type as ContentType } : {}),
    ...((EMAIL_FREQUENCIES as readonly string[]).includes(frequency) ? { frequency: frequency as EmailFrequency } : {}),
    ...(/^[A-Za-z0-9_-]{8,64}$/.test(importId) ? { importId } : {}),
  };
}

const STATUS_SQL: Record<SubscriberStatus, string> = {
  active: `email_status = 'active' AND email_verified = 1`,
  unconfirmed: `email_status = 'active' AND email_verified = 0`,
  bounced: `email_status = 'bounced'`,
  unsubscribed: `email_status = 'unsubscribed'`,
  blocked: `email_status = 'blocked'`,
};

/**
 * WHERE clause and parameters. The address search matches any part of the address (`instr`,
 * case-folded like the stored addresses).
 * Only constants of this module are spliced into the SQL; input is always a parameter.
 */
export function subscriberWhere(f: SubscriberFilters): { where: string; params: (string | number)[] } {
  const clauses: string[] = [];
  const params: (string | number)[] = [];
  if (f.q) {
    // Any part of the address ("smith", "@example.org", "ann@"): a scan, measured at 100,000 readers in test/admin-subscribers.test.ts.
    params.push(f.q);
    clauses.push(`instr(email, ?${params.length}) > 0`);
  }
  if (f.status) clauses.push(STATUS_SQL[f.status]);
  if (f.contentType) clauses.push(preferenceOnSql(f.contentType));
  if (f.frequency) {
    params.push(f.frequency);
    clauses.push(`email_frequency = ?${params.length}`);
  }
  if (f.importId) {
    params.push(f.importId);
    clauses.push(
      `id IN (SELECT user_id FROM email_notification_history
        WHERE action IN ('subscribed', 'preferences_updated') AND details->>'importId' = ?${params.length})`,
    );
  }
  return { where: clauses.length > 0 ? `WHERE ${clauses.join(' AND ')}` : '', params };
}

export type SubscriberRow = {
  id: string;
  email: string;
  status: SubscriberStatus;
  frequency: EmailFrequency;
  contentTypes: ContentType[];
  createdAt: Date;
};

export const SUBSCRIBER_COLUMNS = `id, email, email_status, email_verified, email_frequency, ${Object.values(PREFERENCE_SQL_COLUMN).join(', ')}, created_at`;
export type RawSubscriber = {
  id: string;
  email: string;
  email_status: string;
  email_verified: number;
  email_frequency: EmailFrequency;
  email_blog_updates: number;
  email_thought_updates: number;
  email_announcements: number;
  created_at: number;
};

export function statusOf(emailStatus: string, verified: boolean | number): SubscriberStatus {
  if (emailStatus === 'active') return verified ? 'active' : 'unconfirmed';
  return emailStatus as SubscriberStatus;
}

export const toSubscriberRow = (r: RawSubscriber): SubscriberRow => ({
  id: r.id,
  email: r.email,
  status: statusOf(r.email_status, r.email_verified),
  frequency: r.email_frequency,
  contentTypes: CONTENT_TYPES.filter((t) => r[PREFERENCE_SQL_COLUMN[t] as keyof RawSubscriber] === 1),
  createdAt: new Date(r.created_at * 1000),
});

export const PAGE_SIZE = 50;

/** One page in address order (keyset: after the last address shown) and the total that matches. */
export async function searchSubscribers(
  db: Db,
  filters: SubscriberFilters,
  { after, limit = PAGE_SIZE }: { after?: string; limit?: number } = {},
): Promise<{ rows: SubscriberRow[]; total: number; next: string | null }> {
  const { where, params } = subscriberWhere(filters);
  const d1 = d1Of(db);
  const pageParams = [...params, after ?? '', limit + 1];
  const afterClause = `${where ? `${where} AND` : 'WHERE'} email > ?${params.length + 1}`;
  const [page, count] = await d1.batch<RawSubscriber & { n?: number }>([
    d1.prepare(`SELECT ${SUBSCRIBER_COLUMNS} FROM users ${afterClause} ORDER BY email LIMIT ?${params.length + 2}`).bind(...pageParams),
    d1.prepare(`SELECT count(*) AS n FROM users ${where}`).bind(...params),
  ]);
  const found = page!.results.map(toSubscriberRow);
  const more = found.length > limit;
  const rows = more ? found.slice(0, limit) : found;
  return { rows, total: Number(count!.results[0]?.n ?? 0), next: more ? rows.at(-1)!.email : null };
}

/** One line of a reader's history: `title` is the post an email was about (via its notification), when there is one. */
export type TimelineEntry = {
  at: Date;
  action: string;
  details: Record<string, unknown> | null;
  source: 'history' | 'admin';
  actor?: string;
  title?: string | null;
};

export const TIMELINE_LIMIT = 100;

// ?1 user id, ?2 limit + 1 (one more says there is a next page), ?3 offset. The reader's history
// with each email's post title, and the author's actions on the reader, newest first, in one statement.
const TIMELINE = `SELECT * FROM (
    SELECT 'history' AS source, h.id, h.action, h.details, h.timestamp AS at, NULL AS actor, n.content_title AS title
      FROM email_notification_history h LEFT JOIN email_notifications n ON n.id = h.notification_id WHERE h.user_id = ?1
    UNION ALL
    SELECT 'history', n.id, 'queued', json_object('notificationType', n.notification_type), n.created_at, NULL, n.content_title
      FROM email_notifications n WHERE n.user_id = ?1 AND ${QUEUED_NOT_STORED}
    UNION ALL
    SELECT 'admin', id, action, details, created_at, actor, NULL FROM admin_audit_log WHERE target_type = 'user' AND target_id = ?1
  ) ORDER BY at DESC, id DESC LIMIT ?2 OFFSET ?3`;

/** A reader and one page of their timeline (`page` from 0; `more` when an older page exists). */
export async function getSubscriber(
  db: Db,
  id: string,
  page = 0,
  limit = TIMELINE_LIMIT,
): Promise<{ user: User; timeline: TimelineEntry[]; more: boolean } | null> {
  const d1 = d1Of(db);
  const [user, rows] = await d1.batch<Record<string, unknown>>([
    d1.prepare('SELECT id FROM users WHERE id = ?1').bind(id),
    d1.prepare(TIMELINE).bind(id, limit + 1, Math.max(0, page) * limit),
  ]);
  if (!user?.results[0]) return null;
  const full = await db.query.users.findFirst({ where: (u, { eq }) => eq(u.id, id) });
  if (!full) return null;
  const parse = (v: unknown) => (typeof v === 'string' ? (JSON.parse(v) as Record<string, unknown>) : null);
  const timeline: TimelineEntry[] = rows!.results.slice(0, limit).map((r) => ({
    at: new Date(Number(r.at) * 1000),
    action: String(r.action),
    details: parse(r.details),
    source: r.source === 'admin' ? ('admin' as const) : ('history' as const),
    ...(r.source === 'admin' ? { actor: String(r.actor) } : {}),
    title: typeof r.title === 'string' ? r.title : null,
  }));
  return { user: full, timeline, more: rows!.results.length > limit };
}

type Actor = { actor: string; ipAddress?: string | null };

// ?1 user id, ?2 now, ?3 reason. Unsent mail for the reader is cancelled, with a history row each.
const CANCEL_HISTORY = `INSERT INTO email_notification_history (id, notification_id, user_id, action, details, timestamp)
  SELECT lower(hex(randomblob(16))), id, user_id, 'cancelled', json_object('reason', ?3), ?2
  FROM email_notifications WHERE user_id = ?1 AND status IN ('pending', 'failed')`;
// ?1 user id, ?2 reason.
const CANCEL_ROWS = `UPDATE email_notifications SET status = 'cancelled', error_message = ?2, next_retry_at = NULL
  WHERE user_id = ?1 AND status IN ('pending', 'failed')`;

/**
 * Suppress: the address gets no more mail of any kind (email_status 'blocked'). The one place
 * the console suppresses an address; a suppression list, where one exists, is written here too.
 */
export async function suppressSubscriber(db: Db, id: string, who: Actor, now = new Date()): Promise<boolean> {
  const d1 = d1Of(db);
  const at = toUnixSeconds(now);
  const reason = 'suppressed by the author';
  const [updated] = await d1.batch([
    d1.prepare(`UPDATE users SET email_status = 'blocked', updated_at = ?2 WHERE id = ?1 RETURNING id`).bind(id, at),
    // On the suppression list too, so the address stays unmailable after an erase or a re-subscribe.
    d1
      .prepare(`INSERT INTO suppressions (address_hash, reason, source, created_at)
        SELECT email_hash, 'manual', 'admin', ?2 FROM users WHERE id = ?1 AND email_hash IS NOT NULL ON CONFLICT(address_hash) DO NOTHING`)
      .bind(id, at),
    d1.prepare(CANCEL_HISTORY).bind(id, at, reason),
    d1.prepare(CANCEL_ROWS).bind(id, reason),
    adminAuditStatement(db, { ...who, action: 'subscriber_suppressed', targetType: 'user', targetId: id }, now),
  ]);
  return (updated?.results.length ?? 0) > 0;
}

/** Unsubscribe from everything, as the reader's own global unsubscribe does, recorded with the actor. */
export async function unsubscribeSubscriber(db: Db, id: string, who: Actor, now = new Date()): Promise<boolean> {
  const d1 = d1Of(db);
  const at = toUnixSeconds(now);
  const reason = 'unsubscribed by the author';
  const [updated] = await d1.batch([
    d1
      .prepare(
        `UPDATE users SET unsubscribe_all = 1, ${NO_PREFERENCES_SET_SQL},
           email_status = CASE WHEN email_status = 'active' THEN 'unsubscribed' ELSE email_status END,
           unsubscribed_at = ?2, updated_at = ?2 WHERE id = ?1 RETURNING id`,
      )
      .bind(id, at),
    d1.prepare(CANCEL_HISTORY).bind(id, at, reason),
    d1.prepare(CANCEL_ROWS).bind(id, reason),
    d1
      .prepare(`INSERT INTO email_notification_history (id, user_id, action, details, timestamp)
        SELECT lower(hex(randomblob(16))), id, 'unsubscribed', json_object('source', 'admin', 'actor', ?3), ?2 FROM users WHERE id = ?1`)
      .bind(id, at, who.actor),
    adminAuditStatement(db, { ...who, action: 'subscriber_unsubscribed', targetType: 'user', targetId: id }, now),
  ]);
  return (updated?.results.length ?? 0) > 0;
}
