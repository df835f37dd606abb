import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createTestD1, type TestD1 } from '../../test/helpers/d1';
import { AuthDB } from './auth-db';
import { getContentItemBySlug } from '../content/content';
import { createNotificationHistoryBatch } from '../delivery/history';
import { cleanupExpiredTokens, purgeOldHistory } from '../maintenance/cleanup';
import { getNotificationById } from '../delivery/notifications';
import { unsubscribeFromContentType } from './preferences';
import { getEmailStatistics } from '../delivery/statistics';
import { getActiveTemplates } from '../content/templates';
import { findUnsubscribeToken } from './unsubscribe-tokens';

const HOUR_MS = 3600_000;
let t: TestD1;
let auth: AuthDB;
// Every test starts from the migrated database and makes its own rows, so the tests pass alone and in any order.
const DATA_TABLES = [
  'email_notification_history',
  'unsubscribe_tokens',
  'email_notifications',
  'sessions',
  'user_profiles',
  'email_statistics',
  'content_items',
  'rate_limits',
  'dev_mail_outbox',
  'users',
]; // children before parents
let migratedTemplateIds: string[];
beforeAll(async () => {
  t = await createTestD1();
  auth = new AuthDB(t.db);
  migratedTemplateIds = (await t.d1.prepare('SELECT id FROM email_templates').all<{ id: string }>()).results.map((r) => r.id);
});
beforeEach(async () => {
  await t.d1.batch([
    ...DATA_TABLES.map((table) => t.d1.prepare(`DELETE FROM ${table}`)),
    t.d1.prepare('DELETE FROM email_templates WHERE id NOT IN (SELECT value FROM json_each(?1))').bind(JSON.stringify(migratedTemplateIds)),
  ]);
});
afterAll(async () => t?.dispose());

const reader = (email: string) => auth.createUser({ email, emailVerified: true, emailBlogUpdates: true, emailThoughtUpdates: true, emailAnnouncements: true });

describe('AuthDB: users and sessions', () => {
  it('createUser, getUserByEmail, getUserById', async () => {
    const user = await auth.createUser({ email: ' Reader@Blog.Test ', username: 'Reader' });
    expect(user).toMatchObject({ email: 'reader@blog.test', username: 'reader', emailVerified: false, emailFrequency: 'immediate' });
    expect((await auth.getUserByEmail('READER@blog.test'))?.id).toBe(user.id);
    expect((await auth.getUserById(user.id))?.email).toBe('reader@blog.test');
  });

  it('createSession, validateSession, deleteSession, cleanupExpiredSessions', async () => {
    const user = await reader('session@blog.test');
    await auth.createSession(user.id, { tokenHash: 'h-live', expiresAt: new Date(Date.now() + HOUR_MS) });
    await auth.createSession(user.id, { tokenHash: 'h-dead', expiresAt: new Date(Date.now() - HOUR_MS) });
    expect((await auth.validateSession('h-live'))?.user.id).toBe(user.id);
    expect(await auth.validateSession('h-dead')).toBeNull();
    expect(await auth.cleanupExpiredSessions()).toBe(1);
    expect(await auth.validateSession('h-live')).not.toBeNull(); // seconds vs seconds: the live one survives
    expect(await auth.deleteSession('h-live')).toBe(true);
    expect(await auth.validateSession('h-live')).toBeNull();
  });
});

describe('AuthDB: notifications and history', () => {
  it('getSubscribersForContentType, createEmailNotification, updateNotificationStatus, createNotificationHistory', async () => {
    const user = await reader('notify@blog.test');
    const off = await auth.createUser({ email: 'off@blog.test', emailVerified: true });
    const subscribers = (await auth.getSubscribersForContentType('thought')).map((u) => u.id);
    expect(subscribers).toContain(user.id);
    expect(subscribers).not.toContain(off.id);

    const id = await auth.createEmailNotification({
      userId: user.id,
      contentType: 'thought',
      contentId: 'thoughts/a',
      contentTitle: 'A',
      contentUrl: 'https://blog.test/thoughts/a/',
      notificationType: 'new_content',
      scheduledFor: new Date('2026-06-01T08:00:00Z'),
    });
    expect(await getNotificationById(t.db, id)).toMatchObject({ status: 'pending', scheduledFor: new Date('2026-06-01T08:00:00Z') });
    expect(await auth.updateNotificationStatus(id, 'sent', null, 'msg-1')).toBe(true);
    expect(await getNotificationById(t.db, id)).toMatchObject({ status: 'sent', emailMessageId: 'msg-1' });

    const historyId = await auth.createNotificationHistory({ notificationId: id, userId: user.id, action: 'sent', details: { via: 'gmail' } });
    const withoutNotification = await auth.createNotificationHistory({ userId: user.id, action: 'preferences_updated', ipAddress: '198.51.100.7' });
    const rows = await t.d1
      .prepare('SELECT id, notification_id, details, ip_address FROM email_notification_history WHERE id IN (?, ?) ORDER BY action')
      .bind(historyId, withoutNotification)
      .all();
    expect(rows.results).toEqual([
      { id: withoutNotification, notification_id: null, details: null, ip_address: '198.51.100.7' },
      { id: historyId, notification_id: id, details: '{"via":"gmail"}', ip_address: null },
    ]);
    await expect(auth.createNotificationHistory({ notificationId: 'fake-id', userId: user.id, action: 'sent' })).rejects.toThrow();
  });

  it('writes many history rows in one batch across statements', async () => {
    const user = await reader('bulk-history@blog.test');
    const rows = Array.from({ length: 25 }, (_, i) => ({ userId: user.id, action: 'opened' as const, retryAttempt: i }));
    expect(await createNotificationHistoryBatch(t.db, rows)).toBe(25);
    const n = await t.d1
      .prepare("SELECT count(*) AS n FROM email_notification_history WHERE user_id = ? AND action = 'opened'")
      .bind(user.id)
      .first<{ n: number }>();
    expect(n!.n).toBe(25);
  });
});

describe('AuthDB: content', () => {
  it('createContentItem, getUnnotifiedContent (published only, newest first), markContentNotified, fan-out', async () => {
    const now = new Date('2026-07-01T00:00:00Z');
    const make = (slug: string, publishDate: string) =>
      auth.createContentItem({
        slug,
        contentType: 'blog',
        title: slug,
        publishDate: new Date(publishDate),
        filePath: `${slug}.md`,
        contentUrl: `https://blog.test/${slug}/`,
        tags: ['a', 'b'],
      });
    const wantsBlog = [await reader('blog1@blog.test'), await reader('blog2@blog.test')];
    await auth.createUser({ email: 'no-blog@blog.test', emailVerified: true, emailThoughtUpdates: true });
    const older = await make('blog/older', '2026-05-01T00:00:00Z');
    const newer = await make('blog/newer', '2026-06-01T00:00:00Z');
    await make('blog/future', '2026-08-01T00:00:00Z');
    await expect(make('blog/older', '2026-05-01T00:00:00Z')).rejects.toThrow(); // slug is unique

    expect((await auth.getUnnotifiedContent(now)).map((c) => c.id)).toEqual([newer, older]);
    const item = (await getContentItemBySlug(t.db, 'blog/newer'))!;
    expect(item.tags).toEqual(['a', 'b']);
    const created = await auth.enqueueNotificationsForContent(item, { now });
    expect(created).toBe(2);
    const queued = await t.d1.prepare("SELECT user_id FROM email_notifications WHERE content_id = 'blog/newer' ORDER BY user_id").all<{ user_id: string }>();
    expect(queued.results.map((r) => r.user_id)).toEqual(wantsBlog.map((u) => u.id).sort());
    expect(await auth.markContentNotified(newer, created)).toBe(true);
    expect(await getContentItemBySlug(t.db, 'blog/newer')).toMatchObject({ notificationSent: true, notificationCount: created });
    expect((await auth.getUnnotifiedContent(now)).map((c) => c.id)).toEqual([older]);
  });
});

describe('AuthDB: templates', () => {
  it('createEmailTemplate, getEmailTemplate (active only)', async () => {
    const base = {
      templateType: 'notification' as const,
      subjectTemplate: 'New: {{content_title}}',
      htmlTemplate: '<p>{{content_title}}</p>',
      textTemplate: '{{content_title}}',
      variables: ['content_title'],
    };
    const id = await auth.createEmailTemplate({ ...base, templateName: 'test_active' });
    await auth.createEmailTemplate({ ...base, templateName: 'test_inactive', isActive: false });
    expect(await auth.getEmailTemplate('test_active')).toMatchObject({ id, isActive: true, variables: ['content_title'], version: 1 });
    expect(await auth.getEmailTemplate('test_inactive')).toBeNull();
    expect(await auth.getEmailTemplate('missing')).toBeNull();
    const names = (await getActiveTemplates(t.db)).map((x) => x.templateName);
    expect(names).toContain('test_active');
    expect(names).not.toContain('test_inactive');
  });
});

describe('AuthDB: unsubscribe tokens', () => {
  it('createUnsubscribeToken, validateUnsubscribeToken, useUnsubscribeToken', async () => {
    const user = await reader('unsub@blog.test');
    const token = await auth.createUnsubscribeToken({ userId: user.id, tokenType: 'one_click', contentType: 'blog' });
    const row = await auth.validateUnsubscribeToken(token);
    expect(row).toMatchObject({ userId: user.id, tokenType: 'one_click', contentType: 'blog', usedAt: null });
    expect(await auth.useUnsubscribeToken(row!.id, '203.0.113.1', 'Gmail')).toBe(true);
    expect(await auth.useUnsubscribeToken(row!.id)).toBe(false);
    expect(await auth.validateUnsubscribeToken(token)).toBeNull();
  });
});

describe('AuthDB: preferences', () => {
  const pendingFor = async (userId: string) =>
    (
      await t.d1
        .prepare("SELECT content_type FROM email_notifications WHERE user_id = ? AND status = 'pending' ORDER BY content_type")
        .bind(userId)
        .all<{ content_type: string }>()
    ).results.map((r) => r.content_type);
  const queue = (userId: string, contentType: 'blog' | 'thought' | 'announcement') =>
    auth.createEmailNotification({ userId, contentType, contentId: `${contentType}/p`, contentTitle: 'P', contentUrl: 'https://blog.test/p/' });

  it('updateUserPreferences changes only what it is given and cancels pending mail of a type turned off', async () => {
    const user = await reader('prefs@blog.test');
    await queue(user.id, 'blog');
    await queue(user.id, 'thought');
    expect(await auth.updateUserPreferences(user.id, { emailThoughtUpdates: false, emailFrequency: 'weekly' })).toBe(true);
    expect(await auth.getUserById(user.id)).toMatchObject({
      emailBlogUpdates: true,
      emailThoughtUpdates: false,
      emailAnnouncements: true,
      emailFrequency: 'weekly',
    });
    expect(await pendingFor(user.id)).toEqual(['blog']);
    await expect(auth.updateUserPreferences(user.id, { emailFrequency: 'hourly' as never })).rejects.toThrow(/Invalid email frequency/);
    expect(await auth.updateUserPreferences('nobody', { emailBlogUpdates: true })).toBe(false);
  });

  it('unsubscribeUserFromAll turns everything off, records when, and cancels pending mail; resubscribing restores active', async () => {
    const user = await reader('leave@blog.test');
    await queue(user.id, 'announcement');
    expect(await auth.unsubscribeUserFromAll(user.id)).toBe(true);
    const after = await auth.getUserById(user.id);
    expect(after).toMatchObject({
      unsubscribeAll: true,
      emailBlogUpdates: false,
      emailThoughtUpdates: false,
      emailAnnouncements: false,
      emailStatus: 'unsubscribed',
    });
    expect(Math.abs(after!.unsubscribedAt!.getTime() - Date.now())).toBeLessThan(60_000);
    expect(await pendingFor(user.id)).toEqual([]);
    expect((await auth.getSubscribersForContentType('announcement')).map((u) => u.id)).not.toContain(user.id);

    await auth.updateUserPreferences(user.id, { unsubscribeAll: false, emailAnnouncements: true });
    expect(await auth.getUserById(user.id)).toMatchObject({ unsubscribeAll: false, unsubscribedAt: null, emailStatus: 'active', emailAnnouncements: true });
    expect((await auth.getSubscribersForContentType('announcement')).map((u) => u.id)).toContain(user.id);
  });

  it('unsubscribeFromContentType turns off one type only', async () => {
    const user = await reader('one-type@blog.test');
    await unsubscribeFromContentType(t.db, user.id, 'thought');
    expect(await auth.getUserById(user.id)).toMatchObject({
      emailBlogUpdates: true,
      emailThoughtUpdates: false,
      emailAnnouncements: true,
      emailStatus: 'active',
    });
  });
});

describe('AuthDB: statistics', () => {
  it('updateEmailStatistics adds increments atomically', async () => {
    await auth.updateEmailStatistics('2026-07-01', 'blog', { totalSent: 2 });
    await auth.updateEmailStatistics('2026-07-01', 'blog', { totalSent: 1, totalUnsubscribed: 1 });
    expect(await getEmailStatistics(t.db, '2026-07-01', 'blog')).toMatchObject({ totalSent: 3, totalUnsubscribed: 1 });
  });
});

describe('maintenance', () => {
  it('cleanupExpiredTokens and purgeOldHistory delete only what is past its date', async () => {
    const user = await reader('maint@blog.test');
    const now = new Date('2027-01-01T00:00:00Z');
    await auth.createUnsubscribeToken({ userId: user.id, tokenType: 'complete', ttlSeconds: 60, now: new Date(now.getTime() - HOUR_MS) });
    const keep = await auth.createUnsubscribeToken({ userId: user.id, tokenType: 'complete', now });
    expect(await cleanupExpiredTokens(t.db, now)).toBe(1);
    expect(await findUnsubscribeToken(t.db, keep)).not.toBeNull();

    await auth.createNotificationHistory({ userId: user.id, action: 'clicked', timestamp: new Date('2020-01-01T00:00:00Z') });
    const recent = await auth.createNotificationHistory({ userId: user.id, action: 'clicked', timestamp: now });
    expect(await purgeOldHistory(t.db, new Date('2026-01-01T00:00:00Z'))).toBe(1);
    const left = await t.d1.prepare("SELECT id FROM email_notification_history WHERE user_id = ? AND action = 'clicked'").bind(user.id).all<{ id: string }>();
    expect(left.results.map((r) => r.id)).toEqual([recent]);
  });
});
