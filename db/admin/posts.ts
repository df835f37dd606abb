/**
 * The console's posts: every content item with its delivery progress, and the author's
 * actions on one post (hold, release, cancel, retry what failed). Each action is one batch():
 * the change, the readers' history rows it implies, and the audit row with the actor.
 */
import { desc, eq, getTableColumns } from 'drizzle-orm';
import { d1Of, type Db } from '../client';
import { adminAuditStatement } from './audit';
import { CONTENT_TYPES, contentItems, type ContentItem } from '../schema';
import { PREFERENCE_SQL_COLUMN, receivingMailSql, suppressedSql } from '../delivery/eligibility';
import { toUnixSeconds } from '../time';

export const PROGRESS_STATUSES = ['pending', 'sending', 'sent', 'failed', 'cancelled'] as const;
export type ProgressStatus = (typeof PROGRESS_STATUSES)[number];
export type Progress = Record<ProgressStatus, { immediate: number; digest: number }>;

export const emptyProgress = (): Progress => Object.fromEntries(PROGRESS_STATUSES.map((s) => [s, { immediate: 0, digest: 0 }])) as Progress;

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
  const progress = await progressOf(
    db,
    items.map((i) => i.slug),
  );
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
    // Releasing a post that waits for approval sends it (a wait is a hold): both flags clear together.
    d1
      .prepare('UPDATE content_items SET delivery_held = ?2, awaiting_approval = awaiting_approval AND ?2, updated_at = ?3 WHERE id = ?1 RETURNING slug')
      .bind(id, held ? 1 : 0, toUnixSeconds(now)),
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
// A cancelled post that was never fanned out never will be; one that waited for approval waits no more.
const CANCEL_ITEM = `UPDATE content_items SET notification_sent = 1, delivery_held = delivery_held AND NOT awaiting_approval, awaiting_approval = 0,
  updated_at = ?2 WHERE id = ?1 RETURNING id`;

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

/**
 * Send a post that waits for approval (or is held before its fan-out): now (`sendAt` null) or
 * at `sendAt`. Clears the hold and the approval wait in one UPDATE; a post already fanned out is
 * not touched (`found: false`): its mail is released with "Release".
 */
export async function approvePost(db: Db, id: string, sendAt: Date | null, who: Actor, now = new Date()): Promise<PostActionResult> {
  const d1 = d1Of(db);
  const at = sendAt ? toUnixSeconds(sendAt) : null;
  const [updated] = await d1.batch<{ slug: string }>([
    d1
      .prepare(
        `UPDATE content_items SET delivery_held = 0, awaiting_approval = 0, send_at = ?2, updated_at = ?3
         WHERE id = ?1 AND notification_sent = 0 RETURNING slug`,
      )
      .bind(id, at, toUnixSeconds(now)),
    adminAuditStatement(
      db,
      {
        ...who,
        action: at === null ? 'post_sent' : 'post_scheduled',
        targetType: 'content',
        targetId: id,
        details: at === null ? undefined : { sendAt: sendAt!.toISOString() },
      },
      now,
    ),
  ]);
  return { found: (updated?.results.length ?? 0) > 0, rows: updated?.results.length ?? 0 };
}

/** Why a post has not gone out: waiting for the author's approval, held, scheduled, or due (the next run fans it out). */
export type WaitingState = 'approval' | 'held' | 'scheduled' | 'due';
/** A post that has not gone out, with the readers who would get it by frequency. */
export type WaitingPost = {
  id: string;
  slug: string;
  title: string;
  held: boolean;
  state: WaitingState;
  publishDate: Date;
  sendAt: Date | null;
  recipients: { immediate: number; daily: number; weekly: number };
};

// The readers who would get each post by frequency (receiving mail, wanting the type, not
// suppressed: the rule of db/delivery/eligibility.ts), counted in the same statement as the posts.
const RECIPIENTS = `SELECT c.id, c.slug, c.title, c.delivery_held AS held, c.awaiting_approval AS approval, c.publish_date, c.send_at,
    c.notification_sent AS fanned,
    sum(u.email_frequency = 'immediate') AS immediate, sum(u.email_frequency = 'daily') AS daily, sum(u.email_frequency = 'weekly') AS weekly
  FROM content_items c
  LEFT JOIN users u ON ${receivingMailSql('u')} AND NOT ${suppressedSql('u')}
    AND CASE c.content_type ${CONTENT_TYPES.map((t) => `WHEN '${t}' THEN u.${PREFERENCE_SQL_COLUMN[t]}`).join(' ')} ELSE 0 END = 1`;
// A held post waits while mail is left to go out: it was never fanned out, or queued rows remain. One whose unsent mail
// the author cancelled (cancelPost: fanned-out flag set, no row pending) or whose mail all went is not waiting.
const HELD_WITH_MAIL_LEFT = `c.delivery_held = 1 AND (c.notification_sent = 0 OR EXISTS (SELECT 1
  FROM email_notifications q INDEXED BY idx_email_notifications_progress WHERE q.content_id = c.slug AND q.status = 'pending'))`;
// ?1 now (unix seconds): posts held or waiting for approval, scheduled, or published and not yet fanned out.
const WAITING = `${RECIPIENTS}
  WHERE (${HELD_WITH_MAIL_LEFT}) OR (c.notification_sent = 0 AND (c.publish_date <= ?1 OR c.send_at IS NOT NULL))
  GROUP BY c.id ORDER BY c.publish_date DESC LIMIT 50`;
const ONE = `${RECIPIENTS} WHERE c.id = ?2 GROUP BY c.id`;

type RecipientRow = {
  id: string;
  slug: string;
  title: string;
  held: number;
  approval: number;
  publish_date: number;
  send_at: number | null;
  fanned: number;
  immediate: number | null;
  daily: number | null;
  weekly: number | null;
};

function toWaiting(r: RecipientRow, now: Date): WaitingPost {
  const sendAt = r.send_at === null ? null : new Date(r.send_at * 1000);
  const state: WaitingState = r.approval === 1 ? 'approval' : r.held === 1 ? 'held' : sendAt && sendAt > now ? 'scheduled' : 'due';
  return {
    id: r.id,
    slug: r.slug,
    title: r.title,
    held: r.held === 1,
    state,
    publishDate: new Date(r.publish_date * 1000),
    sendAt,
    recipients: { immediate: r.immediate ?? 0, daily: r.daily ?? 0, weekly: r.weekly ?? 0 },
  };
}

export async function waitingPosts(db: Db, now = new Date()): Promise<WaitingPost[]> {
  const { results } = await d1Of(db).prepare(WAITING).bind(toUnixSeconds(now)).all<RecipientRow>();
  return results.map((r) => toWaiting(r, now));
}

/** One post's state and recipient counts (the post page's send step); null for a post already fanned out and not held. */
export async function postRecipients(db: Db, id: string, now = new Date()): Promise<WaitingPost | null> {
  const row = await d1Of(db).prepare(ONE).bind(toUnixSeconds(now), id).first<RecipientRow>();
  if (!row || (row.fanned === 1 && row.held === 0)) return null;
  return toWaiting(row, now);
}
