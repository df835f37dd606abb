import { and, asc, eq, getTableName, gt, lte, notExists, sql, type AnyColumn } from 'drizzle-orm';
import { alias } from 'drizzle-orm/sqlite-core';
import { d1Of, type Db } from '../client';
import { newId } from '../crypto';
import { nextDigestSlots } from './digest-schedule';
import { assertContentType, eligibleSubscriberFilter } from './eligibility';
import { changedRows } from '../params';
import {
  emailNotifications,
  NOTIFICATION_STATUSES,
  users,
  type ContentItem,
  type ContentType,
  type EmailNotification,
  type NotificationStatus,
  type NotificationType,
  type User,
} from '../schema';
import { toUnixSeconds } from '../time';

export async function getSubscribersForContentType(db: Db, contentType: ContentType): Promise<User[]> {
  return db.select().from(users).where(eligibleSubscriberFilter(contentType));
}

export type CreateEmailNotificationParams = {
  userId: string;
  contentType: EmailNotification['contentType'];
  contentId: string;
  contentTitle: string;
  contentUrl: string;
  contentExcerpt?: string | null;
  notificationType?: NotificationType;
  /** When to send (the original system passes Unix seconds; Drizzle's timestamp mode takes a Date and stores seconds). */
  scheduledFor?: Date | null;
};

/** One notification (the original system's per-row API; the fan-out below replaces its loop). Returns the id. */
export async function createEmailNotification(db: Db, params: CreateEmailNotificationParams): Promise<string> {
  const id = newId();
  await db.insert(emailNotifications).values({
    id,
    userId: params.userId,
    contentType: params.contentType,
    contentId: params.contentId,
    contentTitle: params.contentTitle,
    contentUrl: params.contentUrl,
    contentExcerpt: params.contentExcerpt ?? null,
    notificationType: params.notificationType ?? 'new_content',
    scheduledFor: params.scheduledFor ?? null,
  });
  return id;
}

export async function getNotificationById(db: Db, id: string): Promise<EmailNotification | undefined> {
  return db.query.emailNotifications.findFirst({ where: eq(emailNotifications.id, id) });
}

/**
 * Records a status change. `sent` stamps sent_at and keeps the provider's message id;
 * `failed` counts an attempt (the original system's automatic retry_count increment); leaving
 * `sending` drops the claim lease. Returns false when the notification does not exist.
 */
export async function updateNotificationStatus(
  db: Db,
  id: string,
  status: NotificationStatus,
  errorMessage?: string | null,
  emailMessageId?: string | null,
  now: Date = new Date(),
): Promise<boolean> {
  if (!NOTIFICATION_STATUSES.includes(status)) throw new Error(`Invalid notification status: "${status}"`);
  const result = await db
    .update(emailNotifications)
    .set({
      status,
      ...(errorMessage !== undefined && { errorMessage }),
      ...(emailMessageId !== undefined && { emailMessageId }),
      ...(status === 'sent' && { sentAt: now }),
      ...(status === 'failed' && { retryCount: sql`${emailNotifications.retryCount} + 1` }),
      ...(status !== 'sending' && { leaseExpiresAt: null }),
    })
    .where(eq(emailNotifications.id, id));
  return changedRows(result) > 0;
}

export type FanOutOptions = {
  now?: Date;
  /** When digest readers' rows are due; default: the next slots after `now` (nextDigestSlots). */
  digestAt?: { daily: Date; weekly: Date };
  /** Only readers with after < users.id <= upTo (either end open): one chunk of a chunked fan-out. */
  userIds?: { after?: string; upTo?: string };
};

/**
 * Ids for rows made inside one INSERT … SELECT, where nanoid cannot run per row: a fresh
 * nanoid for the statement followed by the row's rank in `order` (zero-padded so ids sort
 * in rank order). Unique, and sequential within the statement, so the primary-key index
 * takes the rows as appends instead of 50,000 random inserts (measured: 2-4x faster at
 * 50k). The rank is guessable within one batch: these ids are row keys, not secrets;
 * links carry tokens, never notification ids.
 */
const batchIds = (prefix: string, order: AnyColumn) => sql<string>`${prefix} || printf('%07d', row_number() over (order by ${qualified(order)}))`;

/** `"table"."column"`: Drizzle writes a bare `"id"` in a select list, which the `id` alias would shadow. */
const qualified = (column: AnyColumn) => sql`${sql.identifier(getTableName(column.table))}.${sql.identifier(column.name)}`;

/**
 * The fan-out as un-executed queries, for `db.batch` (and for the benchmark, which runs the
 * same SQL on raw SQLite): [0] inserts one notification per eligible reader. No `queued`
 * history row: it would repeat the notification row (its id, reader, type and created_at) at
 * 7 rows written per email; the reader's timeline and data export read `queued` from the
 * notification itself (db/admin/subscribers.ts, db/readers/data-rights.ts).
 */
export function fanOutQueries(db: Db, item: ContentItem, opts: FanOutOptions = {}) {
  assertContentType(item.contentType);
  if (!item.contentUrl) throw new Error(`Content item "${item.slug}" has no content_url; cannot build its emails`);
  const now = opts.now ?? new Date();
  const digestAt = opts.digestAt ?? nextDigestSlots(now);
  const immediateType: NotificationType = item.contentType === 'announcement' ? 'announcement' : 'new_content';
  const existing = alias(emailNotifications, 'existing');
  const notificationPrefix = newId();

  const recipients = db
    .select({
      id: batchIds(notificationPrefix, users.id).as('id'),
      userId: users.id,
      contentType: sql`${item.contentType}`.as('contentType'),
      contentId: sql`${item.slug}`.as('contentId'),
      contentTitle: sql`${item.title}`.as('contentTitle'),
      contentUrl: sql`${item.contentUrl}`.as('contentUrl'),
      contentExcerpt: sql`${item.description ?? item.contentPreview ?? null}`.as('contentExcerpt'),
      // Immediate readers get the item now; daily and weekly readers get it in their digest.
      notificationType: sql`case when ${users.emailFrequency} = 'immediate' then ${immediateType} else 'digest' end`.as('notificationType'),
      status: sql`'pending'`.as('status'),
      createdAt: sql`${toUnixSeconds(now)}`.as('createdAt'),
      scheduledFor: sql`case ${users.emailFrequency}
        when 'daily' then ${toUnixSeconds(digestAt.daily)} when 'weekly' then ${toUnixSeconds(digestAt.weekly)} else null end`.as('scheduledFor'),
      sentAt: sql`null`.as('sentAt'),
      errorMessage: sql`null`.as('errorMessage'),
      retryCount: sql`0`.as('retryCount'),
      nextRetryAt: sql`null`.as('nextRetryAt'),
      emailMessageId: sql`null`.as('emailMessageId'),
      messageIdHeader: sql`null`.as('messageIdHeader'),
      leaseExpiresAt: sql`null`.as('leaseExpiresAt'),
    })
    .from(users)
    .where(
      and(
        eligibleSubscriberFilter(item.contentType),
        opts.userIds?.after ? gt(users.id, opts.userIds.after) : undefined,
        opts.userIds?.upTo ? lte(users.id, opts.userIds.upTo) : undefined,
        // A reader gets one mail per item whatever its type, even after changing frequency.
        notExists(
          db
            .select({ one: sql`1` })
            .from(existing)
            .where(and(eq(existing.userId, users.id), eq(existing.contentType, item.contentType), eq(existing.contentId, item.slug))),
        ),
      ),
    )
    // Rows arrive in user-id order, so the indexes keyed by user_id also take them in order.
    .orderBy(asc(users.id));
  // The WHERE clause above also keeps SQLite from reading ON CONFLICT as a join constraint.
  const insertNotifications = db.insert(emailNotifications).select(recipients).onConflictDoNothing();

  return [insertNotifications] as const;
}

/**
 * THE FAN-OUT: one `INSERT … SELECT` creates a notification for every eligible reader of
 * the item (the original system's loop of createEmailNotification is what this replaces).
 * Idempotent: a second run creates nothing. Returns how many notifications were created.
 */
export async function enqueueNotificationsForContent(db: Db, item: ContentItem, opts: FanOutOptions = {}): Promise<number> {
  const [insertNotifications] = fanOutQueries(db, item, opts);
  const [created] = await db.batch([insertNotifications]);
  return changedRows(created);
}

// ---------------------------------------------------------------- chunked fan-out

/** Readers per fan-out statement: far inside D1's 30 s per query at a million readers (bench/queue-delivery.bench.ts). */
export const FANOUT_CHUNK_READERS = 50_000;

// ?1 content type, ?2 slug, ?3 chunk size. The checkpoint is the data itself: each chunk is one
// transaction over a user-id range, so the largest user_id holding a row for the item is where a
// stopped fan-out resumes. Only a resumed item pays the scan of its rows for it.
const FIRST_CHUNK = `WITH c(after, existing) AS (SELECT
    CASE WHEN EXISTS (SELECT 1 FROM email_notifications WHERE content_type = ?1 AND content_id = ?2)
      THEN (SELECT max(user_id) FROM email_notifications WHERE content_type = ?1 AND content_id = ?2) ELSE '' END,
    CASE WHEN EXISTS (SELECT 1 FROM email_notifications WHERE content_type = ?1 AND content_id = ?2)
      THEN (SELECT count(*) FROM email_notifications WHERE content_type = ?1 AND content_id = ?2) ELSE 0 END)
  SELECT after, existing, (SELECT id FROM users WHERE id > c.after ORDER BY id LIMIT 1 OFFSET ?3 - 1) AS up_to FROM c`;
const NEXT_CHUNK = `SELECT id AS up_to FROM users WHERE id > ?1 ORDER BY id LIMIT 1 OFFSET ?2 - 1`;

export type ChunkedFanOut = {
  /** Notifications created by this call. */
  created: number;
  /** Notifications the item had before this call (a resumed fan-out). */
  existing: number;
  /** Every reader range is done; false when the time budget ran out first (call again to resume). */
  done: boolean;
  chunks: number;
};

/**
 * The fan-out over user-id ranges of `chunkReaders` readers, one INSERT … SELECT per range:
 * each chunk is a transaction and a checkpoint. A small list is
 * one chunk (one extra query for the range). Stops between chunks after `timeBudgetMs`.
 */
export async function enqueueNotificationsInChunks(
  db: Db,
  item: ContentItem,
  opts: FanOutOptions & { chunkReaders?: number; timeBudgetMs?: number } = {},
): Promise<ChunkedFanOut> {
  const d1 = d1Of(db);
  const chunk = Math.max(1, opts.chunkReaders ?? FANOUT_CHUNK_READERS);
  const started = Date.now();
  const first = await d1.prepare(FIRST_CHUNK).bind(item.contentType, item.slug, chunk).first<{ after: string; existing: number; up_to: string | null }>();
  let after = first?.after ?? '';
  let upTo = first?.up_to ?? null;
  const result: ChunkedFanOut = { created: 0, existing: first?.existing ?? 0, done: false, chunks: 0 };
  for (;;) {
    const [insertNotifications] = fanOutQueries(db, item, { ...opts, userIds: { after: after || undefined, upTo: upTo ?? undefined } });
    const [created] = await db.batch([insertNotifications]);
    result.created += changedRows(created);
    result.chunks += 1;
    if (upTo === null) {
      result.done = true;
      return result;
    }
    if (opts.timeBudgetMs !== undefined && Date.now() - started >= opts.timeBudgetMs) return result;
    after = upTo;
    upTo = (await d1.prepare(NEXT_CHUNK).bind(after, chunk).first<{ up_to: string }>())?.up_to ?? null;
  }
}

/**
 * Queues one account email (content_type 'system', notification_type 'verification'; the kind is
 * the prefix of `contentId`) and returns its id. One row per reader and `contentId`: queuing the
 * same one again keeps the row, with the URL refreshed, and returns its id. One statement.
 */
export async function queueSystemNotification(
  db: Db,
  n: { userId: string; contentId: string; title: string; url: string; excerpt: string | null; now: Date },
): Promise<string> {
  const row = await d1Of(db)
    .prepare(
      `INSERT INTO email_notifications
         (id, user_id, content_type, content_id, content_title, content_url, content_excerpt, notification_type, status, created_at)
       VALUES (?1, ?2, 'system', ?3, ?4, ?5, ?7, 'verification', 'pending', ?6)
       ON CONFLICT (user_id, content_type, content_id, notification_type) DO UPDATE SET content_url = excluded.content_url
       RETURNING id`,
    )
    .bind(newId(), n.userId, n.contentId, n.title, n.url, toUnixSeconds(n.now), n.excerpt)
    .first<{ id: string }>();
  if (!row) throw new Error('queueSystemNotification: the insert returned no row');
  return row.id;
}
