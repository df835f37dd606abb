import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestD1, type TestD1 } from '../../test/helpers/d1';
import { createContentItem } from '../content/content';
import { nextDigestSlots } from './digest-schedule';
import {
  createEmailNotification,
  enqueueNotificationsForContent,
  getNotificationById,
  getSubscribersForContentType,
  updateNotificationStatus,
} from './notifications';
import { CONTENT_TYPES, EMAIL_STATUSES, type ContentItem, type ContentType } from '../schema';
import { createUser } from '../readers/users';
import { getSubscriber } from '../admin/subscribers';
import { exportReaderData } from '../readers/data-rights';
import { createNotificationHistory } from './history';

const PREFERENCE = { blog: 'emailBlogUpdates', thought: 'emailThoughtUpdates', announcement: 'emailAnnouncements' } as const;
const NOT_ACTIVE = EMAIL_STATUSES.filter((s) => s !== 'active');

type Case = { contentType: ContentType; pref: boolean; active: boolean; subscribed: boolean; verified: boolean; email: string };

/** 16 combinations of the four conditions for each of the 3 content types: 48 readers. */
const CASES: Case[] = CONTENT_TYPES.flatMap((contentType) =>
  Array.from({ length: 16 }, (_, bits) => {
    const [pref, active, subscribed, verified] = [1, 2, 4, 8].map((b) => (bits & b) !== 0) as [boolean, boolean, boolean, boolean];
    return { contentType, pref, active, subscribed, verified, email: `${contentType}-${bits}@truth.test` };
  }),
);
const label = (c: Case) => `${c.contentType}: pref=${c.pref} active=${c.active} !unsubAll=${c.subscribed} verified=${c.verified}`;

let t: TestD1;
beforeAll(async () => {
  t = await createTestD1();
});
afterAll(async () => t?.dispose());

async function item(slug: string, contentType: ContentType, extra: Partial<ContentItem> = {}): Promise<ContentItem> {
  const created = await createContentItem(t.db, {
    slug,
    contentType,
    title: `Title of ${slug}`,
    description: extra.description ?? `About ${slug}`,
    contentUrl: `https://blog.test/${slug}/`,
    publishDate: new Date('2026-01-01T00:00:00Z'),
    filePath: `src/content/${slug}.md`,
  });
  return { ...created, ...extra };
}

describe('the subscriber filter (16 combinations x 3 content types)', () => {
  const viaQuery = new Map<ContentType, Set<string>>();
  const viaFanOut = new Map<ContentType, Set<string>>();
  const idByEmail = new Map<string, string>();

  beforeAll(async () => {
    for (const [i, c] of CASES.entries()) {
      const user = await createUser(t.db, { email: c.email, [PREFERENCE[c.contentType]]: c.pref, emailVerified: c.verified });
      await t.d1
        .prepare('UPDATE users SET email_status = ?, unsubscribe_all = ? WHERE id = ?')
        .bind(c.active ? 'active' : NOT_ACTIVE[i % NOT_ACTIVE.length], c.subscribed ? 0 : 1, user.id)
        .run();
      idByEmail.set(c.email, user.id);
    }
    for (const contentType of CONTENT_TYPES) {
      viaQuery.set(contentType, new Set((await getSubscribersForContentType(t.db, contentType)).map((u) => u.email)));
      const content = await item(`truth/${contentType}`, contentType);
      await enqueueNotificationsForContent(t.db, content);
      const { results } = await t.d1
        .prepare('SELECT u.email FROM email_notifications n JOIN users u ON u.id = n.user_id WHERE n.content_id = ?')
        .bind(content.slug)
        .all<{ email: string }>();
      viaFanOut.set(contentType, new Set(results.map((r) => r.email)));
    }
  });

  it.each(CASES.map((c) => [label(c), c] as const))('%s', (_, c) => {
    const expected = c.pref && c.active && c.subscribed && c.verified;
    for (const contentType of CONTENT_TYPES) {
      const shouldReceive = expected && contentType === c.contentType;
      expect(viaQuery.get(contentType)!.has(c.email), `getSubscribersForContentType(${contentType})`).toBe(shouldReceive);
      expect(viaFanOut.get(contentType)!.has(c.email), `enqueueNotificationsForContent(${contentType})`).toBe(shouldReceive);
    }
  });

  it('finds exactly one subscriber per content type', () => {
    for (const contentType of CONTENT_TYPES) {
      expect([...viaQuery.get(contentType)!]).toEqual([`${contentType}-15@truth.test`]);
      expect([...viaFanOut.get(contentType)!]).toEqual([`${contentType}-15@truth.test`]);
    }
  });
});

describe('enqueueNotificationsForContent', () => {
  const now = new Date('2026-03-04T10:30:00Z'); // a Wednesday
  let ids: { immediate: string; daily: string; weekly: string };

  beforeAll(async () => {
    const reader = (email: string, emailFrequency: 'immediate' | 'daily' | 'weekly') =>
      createUser(t.db, { email, emailFrequency, emailVerified: true, emailBlogUpdates: true, emailAnnouncements: true });
    ids = {
      immediate: (await reader('now@fan.test', 'immediate')).id,
      daily: (await reader('daily@fan.test', 'daily')).id,
      weekly: (await reader('weekly@fan.test', 'weekly')).id,
    };
  });

  const rowsFor = async (slug: string) =>
    (
      await t.d1
        .prepare(
          `SELECT user_id, notification_type, scheduled_for, content_title, content_url, content_excerpt, created_at
           FROM email_notifications WHERE content_id = ?`,
        )
        .bind(slug)
        .all<{
          user_id: string;
          notification_type: string;
          scheduled_for: number | null;
          content_title: string;
          content_url: string;
          content_excerpt: string | null;
          created_at: number;
        }>()
    ).results;

  it('creates the rows once: a second run creates nothing', async () => {
    const post = await item('blog/twice', 'blog');
    const first = await enqueueNotificationsForContent(t.db, post, { now });
    const second = await enqueueNotificationsForContent(t.db, post, { now });
    const subscribers = await getSubscribersForContentType(t.db, 'blog'); // ours plus the truth table's one
    expect(subscribers.length).toBeGreaterThanOrEqual(3);
    expect(first).toBe(subscribers.length);
    expect(second).toBe(0);
    expect(await rowsFor(post.slug)).toHaveLength(subscribers.length);
  });

  it('gives digest readers a digest row scheduled for their next slot, immediate readers a new_content row', async () => {
    const post = await item('blog/digest', 'blog', { description: null, contentPreview: 'The preview' });
    await enqueueNotificationsForContent(t.db, post, { now });
    const slots = nextDigestSlots(now);
    const byUser = new Map((await rowsFor(post.slug)).map((r) => [r.user_id, r]));
    expect(byUser.get(ids.immediate)).toMatchObject({ notification_type: 'new_content', scheduled_for: null });
    expect(byUser.get(ids.daily)).toMatchObject({ notification_type: 'digest', scheduled_for: Math.floor(slots.daily.getTime() / 1000) });
    expect(byUser.get(ids.weekly)).toMatchObject({ notification_type: 'digest', scheduled_for: Math.floor(slots.weekly.getTime() / 1000) });
    expect(byUser.get(ids.immediate)).toMatchObject({
      content_title: 'Title of blog/digest',
      content_url: 'https://blog.test/blog/digest/',
      content_excerpt: 'The preview', // description ?? content_preview
      created_at: Math.floor(now.getTime() / 1000),
    });
  });

  it('uses the digestAt slots it is given', async () => {
    const post = await item('blog/slots', 'blog');
    const digestAt = { daily: new Date('2026-03-05T06:00:00Z'), weekly: new Date('2026-03-09T06:00:00Z') };
    await enqueueNotificationsForContent(t.db, post, { now, digestAt });
    const byUser = new Map((await rowsFor(post.slug)).map((r) => [r.user_id, r.scheduled_for]));
    expect(byUser.get(ids.daily)).toBe(digestAt.daily.getTime() / 1000);
    expect(byUser.get(ids.weekly)).toBe(digestAt.weekly.getTime() / 1000);
  });

  it('marks announcements as announcement for immediate readers', async () => {
    const news = await item('announcements/news', 'announcement');
    await enqueueNotificationsForContent(t.db, news, { now });
    const byUser = new Map((await rowsFor(news.slug)).map((r) => [r.user_id, r.notification_type]));
    expect(byUser.get(ids.immediate)).toBe('announcement');
    expect(byUser.get(ids.daily)).toBe('digest');
  });

  it('does not mail a reader again after they change frequency (one row per item, any type)', async () => {
    const post = await item('blog/switch', 'blog');
    await enqueueNotificationsForContent(t.db, post, { now });
    await t.d1.prepare("UPDATE users SET email_frequency = 'immediate' WHERE id = ?").bind(ids.daily).run();
    expect(await enqueueNotificationsForContent(t.db, post, { now })).toBe(0);
    await t.d1.prepare("UPDATE users SET email_frequency = 'daily' WHERE id = ?").bind(ids.daily).run();
  });

  it('writes no history row (queued is the notification row itself); the timeline and the data export show it once', async () => {
    const post = await item('blog/history', 'blog');
    await enqueueNotificationsForContent(t.db, post, { now });
    const history = await t.d1
      .prepare('SELECT count(*) AS n FROM email_notification_history h JOIN email_notifications n ON n.id = h.notification_id WHERE n.content_id = ?')
      .bind(post.slug)
      .first<{ n: number }>();
    expect(history!.n).toBe(0);
    // A row fanned out before migration 0025 has a stored `queued` row: shown once, not twice.
    const older = await item('blog/history-older', 'blog');
    await enqueueNotificationsForContent(t.db, older, { now });
    const olderRow = (await t.d1
      .prepare('SELECT id FROM email_notifications WHERE content_id = ? AND user_id = ?')
      .bind(older.slug, ids.immediate)
      .first<{ id: string }>())!;
    await createNotificationHistory(t.db, { notificationId: olderRow.id, userId: ids.immediate, action: 'queued', timestamp: now });

    const reader = (await getSubscriber(t.db, ids.immediate))!;
    const mine = [post.title, older.title];
    const queued = reader.timeline.filter((e) => e.action === 'queued' && mine.includes(e.title!));
    expect(queued.map((e) => e.title).sort()).toEqual([older.title, post.title].sort());
    expect(queued.every((e) => e.at.getTime() === now.getTime())).toBe(true);
    expect(queued.find((e) => e.title === post.title)!.details).toEqual({ notificationType: 'new_content' });
    const exported = await exportReaderData(t.db, reader.user, now);
    // Every notification of the reader once: the stored row for `older`, the notification itself for the rest.
    const notifications = (await t.d1.prepare('SELECT count(*) AS n FROM email_notifications WHERE user_id = ?').bind(ids.immediate).first<{ n: number }>())!.n;
    expect(exported.history.filter((h) => h.action === 'queued')).toHaveLength(notifications);
    expect(exported.history.find((h) => h.action === 'queued' && h.details !== null)).toMatchObject({ at: now.toISOString(), archived: false });
  });

  it('gives every row its own id across fan-outs, and history only to the rows a fan-out created', async () => {
    const a = await item('blog/ids-a', 'blog');
    const b = await item('blog/ids-b', 'blog');
    const manual = await createEmailNotification(t.db, {
      userId: ids.immediate,
      contentType: 'blog',
      contentId: b.slug,
      contentTitle: 'B',
      contentUrl: 'https://blog.test/b/',
    });
    await enqueueNotificationsForContent(t.db, a, { now });
    const createdForB = await enqueueNotificationsForContent(t.db, b, { now });
    const { results } = await t.d1
      .prepare('SELECT id, content_id FROM email_notifications WHERE content_id IN (?, ?)')
      .bind(a.slug, b.slug)
      .all<{ id: string; content_id: string }>();
    expect(new Set(results.map((r) => r.id)).size).toBe(results.length);
    expect(results.filter((r) => r.content_id === b.slug)).toHaveLength(createdForB + 1); // the manual row kept its reader out
    const history = await t.d1.prepare('SELECT count(*) AS n FROM email_notification_history WHERE notification_id = ?').bind(manual).first<{ n: number }>();
    expect(history!.n).toBe(0);
  });

  it('refuses an item without a URL with a clear error and writes nothing', async () => {
    const post = await item('blog/no-url', 'blog', { contentUrl: null });
    await expect(enqueueNotificationsForContent(t.db, post)).rejects.toThrow(/no content_url/);
    expect(await rowsFor(post.slug)).toHaveLength(0);
  });
});

describe('createEmailNotification and updateNotificationStatus', () => {
  it('creates a pending row and records sent, failed and cancelled states', async () => {
    const user = await createUser(t.db, { email: 'status@fan.test' });
    const id = await createEmailNotification(t.db, {
      userId: user.id,
      contentType: 'blog',
      contentId: 'blog/status',
      contentTitle: 'Status',
      contentUrl: 'https://blog.test/blog/status/',
    });
    expect(await getNotificationById(t.db, id)).toMatchObject({ status: 'pending', notificationType: 'new_content', retryCount: 0 });

    await t.d1.prepare("UPDATE email_notifications SET status = 'sending', lease_expires_at = 99 WHERE id = ?").bind(id).run();
    expect(await updateNotificationStatus(t.db, id, 'failed', 'smtp 421')).toBe(true);
    expect(await getNotificationById(t.db, id)).toMatchObject({ status: 'failed', errorMessage: 'smtp 421', retryCount: 1, leaseExpiresAt: null });

    const sentAt = new Date('2026-05-01T12:00:00Z');
    await updateNotificationStatus(t.db, id, 'sent', null, 'gmail-123', sentAt);
    expect(await getNotificationById(t.db, id)).toMatchObject({ status: 'sent', emailMessageId: 'gmail-123', sentAt, retryCount: 1, errorMessage: null });

    expect(await updateNotificationStatus(t.db, 'no-such-id', 'cancelled')).toBe(false);
    await expect(updateNotificationStatus(t.db, id, 'bogus' as never)).rejects.toThrow(/Invalid notification status/);
  });
});
