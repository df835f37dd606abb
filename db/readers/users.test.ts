import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestD1, type TestD1 } from '../../test/helpers/d1';
import { createNotificationHistory } from '../delivery/history';
import { createEmailNotification } from '../delivery/notifications';
import { userProfiles } from '../schema';
import { createSession } from './sessions';
import { createUnsubscribeToken } from './unsubscribe-tokens';
import { createUser, DuplicateUserError, getUserByEmail, getUserById, getUserByUsername, normalizeEmail } from './users';

let t: TestD1;
beforeAll(async () => {
  t = await createTestD1();
});
afterAll(async () => t?.dispose());

const count = async (sql: string, ...params: unknown[]) =>
  (await t.d1
    .prepare(sql)
    .bind(...params)
    .first<{ n: number }>())!.n;

describe('email normalisation', () => {
  it('normalizeEmail trims and lower-cases', () => {
    expect(normalizeEmail('  Ann@Example.COM ')).toBe('ann@example.com');
  });

  it('stores the email lower-cased and finds it whatever the case', async () => {
    const user = await createUser(t.db, { email: '  Ann@Example.COM ', username: ' AnnB ' });
    const raw = await t.d1.prepare('SELECT email, username FROM users WHERE id = ?').bind(user.id).first();
    expect(raw).toEqual({ email: 'ann@example.com', username: 'annb' });
    expect((await getUserByEmail(t.db, 'ANN@example.com'))?.id).toBe(user.id);
    expect((await getUserByEmail(t.db, ' ann@EXAMPLE.com  '))?.id).toBe(user.id);
    expect((await getUserByUsername(t.db, 'ANNB'))?.id).toBe(user.id);
    expect((await getUserById(t.db, user.id))?.email).toBe('ann@example.com');
  });

  it('rejects a second account whose email differs only in case', async () => {
    await createUser(t.db, { email: 'dup@example.com' });
    const attempt = createUser(t.db, { email: 'DUP@Example.com' });
    await expect(attempt).rejects.toBeInstanceOf(DuplicateUserError);
    await expect(attempt).rejects.toMatchObject({ field: 'email' });
    await createUser(t.db, { email: 'first@example.com', username: 'Taken' });
    await expect(createUser(t.db, { email: 'second@example.com', username: 'TAKEN' })).rejects.toMatchObject({ field: 'username' });
    expect(await count("SELECT count(*) AS n FROM users WHERE email = 'dup@example.com'")).toBe(1);
  });

  it('rejects a malformed email before it reaches the database', async () => {
    await expect(createUser(t.db, { email: 'not-an-email' })).rejects.toThrow(/Invalid email/);
    await expect(createUser(t.db, { email: '   ' })).rejects.toThrow(/Invalid email/);
  });

  it('returns undefined for an unknown user', async () => {
    expect(await getUserByEmail(t.db, 'nobody@example.com')).toBeUndefined();
    expect(await getUserById(t.db, 'nope')).toBeUndefined();
  });
});

describe('cascades', () => {
  it('deleting a user removes their sessions, profile, notifications, tokens and history', async () => {
    const user = await createUser(t.db, { email: 'leaver@example.com' });
    await createSession(t.db, user.id, { tokenHash: 'leaver-session', expiresAt: new Date(Date.now() + 3_600_000) });
    await t.db.insert(userProfiles).values({ userId: user.id, displayName: 'Leaver' });
    const notificationId = await createEmailNotification(t.db, {
      userId: user.id,
      contentType: 'blog',
      contentId: 'blog/x',
      contentTitle: 'X',
      contentUrl: 'https://blog.test/x/',
    });
    await createUnsubscribeToken(t.db, { userId: user.id, tokenType: 'one_click' });
    await createNotificationHistory(t.db, { notificationId, userId: user.id, action: 'queued' });

    await t.d1.prepare('DELETE FROM users WHERE id = ?').bind(user.id).run();
    for (const table of ['sessions', 'user_profiles', 'email_notifications', 'unsubscribe_tokens', 'email_notification_history']) {
      expect(await count(`SELECT count(*) AS n FROM ${table} WHERE user_id = ?`, user.id), table).toBe(0);
    }
  });

  it('deleting a notification keeps its history with notification_id set to null', async () => {
    const user = await createUser(t.db, { email: 'keeper@example.com' });
    const notificationId = await createEmailNotification(t.db, {
      userId: user.id,
      contentType: 'blog',
      contentId: 'blog/y',
      contentTitle: 'Y',
      contentUrl: 'https://blog.test/y/',
    });
    const historyId = await createNotificationHistory(t.db, { notificationId, userId: user.id, action: 'sent' });
    await t.d1.prepare('DELETE FROM email_notifications WHERE id = ?').bind(notificationId).run();
    const row = await t.d1.prepare('SELECT notification_id, action FROM email_notification_history WHERE id = ?').bind(historyId).first();
    expect(row).toEqual({ notification_id: null, action: 'sent' });
  });
});

describe('CHECK constraints reject bad enum values', () => {
  let userId: string;
  beforeAll(async () => {
    userId = (await createUser(t.db, { email: 'checks@example.com' })).id;
  });

  it.each([
    ['users.email_status', "UPDATE users SET email_status = 'gone' WHERE id = ?"],
    ['users.email_frequency', "UPDATE users SET email_frequency = 'hourly' WHERE id = ?"],
    [
      'email_notifications.status',
      'INSERT INTO email_notifications (id, user_id, content_type, content_id, content_title, content_url, status) ' +
        "VALUES ('n1', ?, 'blog', 'b', 't', 'u', 'lost')",
    ],
    [
      'email_notifications.content_type',
      "INSERT INTO email_notifications (id, user_id, content_type, content_id, content_title, content_url) VALUES ('n2', ?, 'podcast', 'b', 't', 'u')",
    ],
    ['unsubscribe_tokens.token_type', "INSERT INTO unsubscribe_tokens (id, user_id, token, token_type, expires_at) VALUES ('t1', ?, 'h1', 'forever', 0)"],
    [
      'unsubscribe_tokens.content_type',
      "INSERT INTO unsubscribe_tokens (id, user_id, token, token_type, content_type, expires_at) VALUES ('t2', ?, 'h2', 'one_click', 'podcast', 0)",
    ],
    [
      'content_items.content_type',
      "INSERT INTO content_items (id, slug, content_type, title, publish_date, file_path) VALUES ('c1', ? || '/x', 'podcast', 't', 0, 'f')",
    ],
  ])('%s', async (_, statement) => {
    await expect(t.d1.prepare(statement).bind(userId).run()).rejects.toThrow(/CHECK constraint failed/);
  });

  it('createUser refuses an unknown frequency with a readable error', async () => {
    await expect(createUser(t.db, { email: 'freq@example.com', emailFrequency: 'hourly' as never })).rejects.toThrow(/Invalid email frequency/);
  });
});

describe('timestamps are Unix seconds', () => {
  it('stores Date values as whole seconds and reads them back as Dates', async () => {
    const expiresAt = new Date('2030-06-15T12:34:56.789Z');
    const user = await createUser(t.db, { email: 'clock@example.com' });
    await createSession(t.db, user.id, { tokenHash: 'clock-session', expiresAt });
    const raw = await t.d1
      .prepare('SELECT s.expires_at, s.created_at, u.created_at AS user_created FROM sessions s JOIN users u ON u.id = s.user_id WHERE s.id = ?')
      .bind('clock-session')
      .first<{ expires_at: number; created_at: number; user_created: number }>();
    expect(raw!.expires_at).toBe(Math.floor(expiresAt.getTime() / 1000));
    for (const value of Object.values(raw!)) expect(value).toBeLessThan(10 ** 10);
    // created_at is D1's default (unixepoch()): compare it with D1's clock, not this process's.
    const d1Now = (await t.d1.prepare('SELECT unixepoch() AS now').first<{ now: number }>())!.now;
    expect(Math.abs(raw!.user_created - d1Now)).toBeLessThan(60);
    expect((await getUserById(t.db, user.id))!.createdAt.getTime()).toBe(raw!.user_created * 1000);
    const stored = await t.db.query.sessions.findFirst({ where: (s) => eq(s.id, 'clock-session') });
    expect(stored!.expiresAt.getTime()).toBe(Math.floor(expiresAt.getTime() / 1000) * 1000);
  });
});
