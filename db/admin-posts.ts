/**
 * The console's posts: every content item with its delivery progress, and the author's
 * actions on one post (hold, release, cancel, retry what failed). Each action is one batch():
 * the change, the readers' history rows it implies, and the audit row with the actor.
 */
import { desc, eq, getTableColumns } from 'drizzle-orm';
import { d1Of, type Db } from './client';
import { adminAuditStatement } from './admin-audit';
import { CONTENT_TYPES, contentItems, type ContentItem } from './schema';
import { PREFERENCE_SQL_COLUMN, receivingMailSql, suppressedSql } from './eligibility';
import { toUnixSeconds } from './time';

export const PROGRESS_STATUSES = ['pending', 'sending', 'sent', 'failed', 'cancelled'] as const;
export type ProgressStatus = (typeof PROGRESS_STATUSES)[number];
export type Progress = Record<ProgressStatus, { immediate: number; digest: number }>;

export const emptyProgress = (): Progress =>
  Object.fromEntries(PROGRESS_STATUSES.map((s) => [s, { immediate: 0, digest: 0 }])) as Progress;

export type PostWithProgress = ContentItem & { progress: Progress; total: number };
/** A row of the posts list: everything but the stored email bodies (tens of KB each, read only for one post). */
export type ListedPost = Omit<PostWithProgress, 'emailHtml' | 'emailText'>;
const { emailHtml: _html, emailText: _text, ...LISTED_COLUMNS } = getTableColumns(contentItems);

// Through idx_email_notifications_progress (content_id, notification_type); the status is read from each row.
const PROGRESS = `SELECT content_id AS slug, notification_type = 'digest' AS digest, status, count(*) AS n
  FROM email_notifications INDEXED BY idx_email_notifications_progress
  WHERE content_id IN (SELECT value FROM json_each(?1)) GROUP BY content_id, notification_type, status`;

async function progressOf(db: Db, slugs: string[]): Promise<Map<string, Progress>> {
  const byPost = new Map(slugs.map((s) => [s, emptyProgress()]));
  if (slugs.length === 0) return byPost;
  const { results } = await d1Of(db).prepare(PROGRESS).bind(JSON.stringify(slugs)).all<{ slug: string; digest: number; status: ProgressStatus; n: number }>();
  for (const r of results) {
    const bucket = byPost.get(r.slug)?.[r.status];
    if (bucket) bucket[r.digest === 1 ? 'digest' : 'immediate'] += r.n;
  }
  return byPost;
}

const withProgress = <T extends Omit<ContentItem, 'emailHtml' | 'emailText'>>(item: T, progress: Progress): T & { progress: Progress; total: number } => ({
  ...item,
  progress,
  total: PROGRESS_STATUSES.reduce((sum, s) => sum + progress[s].immediate + progress[s].digest, 0),
});

export const MAX_POSTS_LISTED = 200;

/** Newest first, with progress counts per status and kind (two queries). */
export async function listPostsWithProgress(db: Db, limit = MAX_POSTS_LISTED): Promise<ListedPost[]> {
  const items = await db.select(LISTED_COLUMNS).from(contentItems).orderBy(desc(contentItems.publishDate)).limit(limit);
  const progress = await progressOf(db, items.map((i) => i.slug));
  return items.map((i) => withProgress(i, progress.get(i.slug)!));
}

export async function getPostWithProgress(db: Db, id: string): Promise<PostWithProgress | null> {
  const item = await db.query.contentItems.findFirst({ where: eq(contentItems.id, id) });
  if (!item) return null;
  const progress = await progressOf(db, [item.slug]);
  return withProgress(item, progress.get(item.slug)!);
}

export type PostActionResult = { found: boolean; rows: number };
type Actor = { actor: string; ipAddress?: string | null };

/** Hold (true) or release (false): a held post is not fanned out and its pending rows are not claimed. */
export async function setPostHeld(db: Db, id: string, held: boolean, who: Actor, now = new Date()): Promise<PostActionResult> {
  const d1 = d1Of(db);
  const [updated] = await d1.batch<{ slug: string }>([
    d1.prepare('UPDATE content_items SET delivery_held = ?2, updated_at = ?3 WHERE id = ?1 RETURNING slug').bind(id, held ? 1 : 0, toUnixSeconds(now)),
    adminAuditStatement(db, { ...who, action: held ? 'post_held' : 'post_released', targetType: 'content', targetId: id }, now),
  ]);
  return { found: (updated?.results.length ?? 0) > 0, rows: updated?.results.length ?? 0 };
}

// ?1 content id, ?2 now, ?3 actor. History is written first, for the rows the UPDATE is about to change.
const CANCEL_HISTORY = `INSERT INTO email_notification_history (id, notification_id, user_id, action, details, timestamp)
  SELECT lower(hex(randomblob(16))), n.id, n.user_id, 'cancelled', json_object('reason', 'cancelled by the author', 'actor', ?3), ?2
  FROM email_notifications n JOIN content_items c ON c.slug = n.content_id
  WHERE c.id = ?1 AND n.status IN ('pending', 'failed')`;
const CANCEL_ROWS = `UPDATE email_notifications
  SET status = 'cancelled', error_message = 'cancelled by the author', next_retry_at = NULL, lease_expires_at = NULL
  WHERE content_id = (SELECT slug FROM content_items WHERE id = ?1) AND status IN ('pending', 'failed')`;
// A cancelled post that was never fanned out never will be.
const CANCEL_ITEM = `UPDATE content_items SET notification_sent = 1, updated_at = ?2 WHERE id = ?1 RETURNING id`;

/** Cancels every unsent notification of a post (rows already `sending` finish their attempt). */
export async function cancelPost(db: Db, id: string, who: Actor, now = new Date()): Promise<PostActionResult> {
  const d1 = d1Of(db);
  const at = toUnixSeconds(now);
  const [, cancelled, item] = await d1.batch([
    d1.prepare(CANCEL_HISTORY).bind(id, at, who.actor),
    d1.prepare(CANCEL_ROWS).bind(id),
    d1.prepare(CANCEL_ITEM).bind(id, at),
    adminAuditStatement(db, { ...who, action: 'post_cancelled', targetType: 'content', targetId: id }, now),
  ]);
  return { found: (item?.results.length ?? 0) > 0, rows: cancelled?.meta.changes ?? 0 };
}

const RETRY_HISTORY = `INSERT INTO email_notification_history (id, notification_id, user_id, action, details, timestamp)
  SELECT lower(hex(randomblob(16))), n.id, n.user_id, 'retry_scheduled', json_object('reason', 'retry by the author', 'actor', ?3), ?2
  FROM email_notifications n JOIN content_items c ON c.slug = n.content_id
  WHERE c.id = ?1 AND n.status = 'failed'`;
// Back to pending with a fresh attempt budget; eligibility is checked again at send time.
const RETRY_ROWS = `UPDATE email_notifications SET status = 'pending', retry_count = 0, next_retry_at = NULL, error_message = NULL
  WHERE content_id = (SELECT slug FROM content_items WHERE id = ?1) AND status = 'failed'`;

export async function retryFailed(db: Db, id: string, who: Actor, now = new Date()): Promise<PostActionResult> {
  const d1 = d1Of(db);
  const at = toUnixSeconds(now);
  const [item, , retried] = await d1.batch([
    d1.prepare('SELECT id FROM content_items WHERE id = ?1').bind(id),
    d1.prepare(RETRY_HISTORY).bind(id, at, who.actor),
    d1.prepare(RETRY_ROWS).bind(id),
    adminAuditStatement(db, { ...who, action: 'post_retried', targetType: 'content', targetId: id }, now),
  ]);
  return { found: (item?.results.length ?? 0) > 0, rows: retried?.meta.changes ?? 0 };
}

/** A post that has not gone out: held by the author, or published and waiting for the next run to fan it out. */
export type WaitingPost = { id: string; slug: string; title: string; held: boolean; publishDate: Date; recipients: { immediate: number; daily: number; weekly: number } };

// ?1 now (unix seconds). Posts held, or published and not yet fanned out, with the readers who
// would get each one by frequency (receiving mail, wanting the type, not suppressed). One statement.
const WAITING = `SELECT c.id, c.slug, c.title, c.delivery_held AS held, c.publish_date,
    sum(u.email_frequency = 'immediate') AS immediate, sum(u.email_frequency = 'daily') AS daily, sum(u.email_frequency = 'weekly') AS weekly
  FROM content_items c
  LEFT JOIN users u ON ${receivingMailSql('u')} AND NOT ${suppressedSql('u')}
    AND CASE c.content_type ${CONTENT_TYPES.map((t) => `WHEN '${t}' THEN u.${PREFERENCE_SQL_COLUMN[t]}`).join(' ')} ELSE 0 END = 1
  WHERE c.delivery_held = 1 OR (c.notification_sent = 0 AND c.publish_date <= ?1)
  GROUP BY c.id ORDER BY c.publish_date DESC LIMIT 50`;

export async function waitingPosts(db: Db, now = new Date()): Promise<WaitingPost[]> {
  const { results } = await d1Of(db)
    .prepare(WAITING)
    .bind(toUnixSeconds(now))
    .all<{ id: string; slug: string; title: string; held: number; publish_date: number; immediate: number | null; daily: number | null; weekly: number | null }>();
  return results.map((r) => ({
    id: r.id,
    slug: r.slug,
    title: r.title,
    held: r.held === 1,
    publishDate: new Date(r.publish_date * 1000),
    recipients: { immediate: r.immediate ?? 0, daily: r.daily ?? 0, weekly: r.weekly ?? 0 },
  }));
}
