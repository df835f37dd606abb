import PostalMime from 'postal-mime';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { recordBounce } from '../integration/delivery/bounces';
import { processNotifications } from '../integration/delivery/processor';
import { createFaultInjectionTransport, SimulatedCrash } from './helpers/fault-injection';
import { validateUnsubscribeToken } from '../db/readers/unsubscribe-tokens';
import { exportReaderData } from '../db/readers/data-rights';
import { createTestD1, type TestD1 } from './helpers/d1';
import { addContent, addReader, clearTables, rows, settableClock, SITE, testConfig } from './helpers/delivery';

let t: TestD1;
beforeAll(async () => {
  t = await createTestD1();
});
afterAll(async () => t?.dispose());
beforeEach(async () => clearTables(t.d1));

const T0 = '2026-11-25T10:00:00Z';

type NotificationRow = {
  id: string;
  user_id: string;
  status: string;
  retry_count: number;
  next_retry_at: number | null;
  sent_at: number | null;
  email_message_id: string | null;
  message_id_header: string | null;
  lease_expires_at: number | null;
  error_message: string | null;
};
const notifications = () => rows<NotificationRow>(t.d1, 'SELECT * FROM email_notifications ORDER BY created_at, id');

describe('processNotifications: the happy path', () => {
  it('fans out a published post, sends one email per eligible reader with working links, and records everything', async () => {
    const time = settableClock(T0);
    const alice = await addReader(t.db, 'alice@example.org', { blog: true });
    await addReader(t.db, 'bob@example.org', { blog: false, thought: true });
    await addReader(t.db, 'carol@example.org', { blog: true, verified: false });
    await addContent(t.db, { title: 'Hello, D1', publishDate: '2026-11-25T09:00:00Z', description: 'A first post.' });
    await addContent(t.db, { title: 'Not yet', publishDate: '2026-11-26T09:00:00Z' });
    const transport = createFaultInjectionTransport();
    const deps = { db: t.db, transport, clock: time.clock, config: testConfig() };

    const summary = await processNotifications(deps);
    expect(summary).toMatchObject({ fannedOut: 1, sent: 1, failed: 0, retried: 0, cancelled: 0, deferred: 0, remaining: 0 });
    expect(transport.sent.map((e) => e.to)).toEqual(['alice@example.org']);

    const [row] = await notifications();
    expect(row).toMatchObject({ user_id: alice.id, status: 'sent', retry_count: 0, lease_expires_at: null, email_message_id: 'fault-1' });
    expect(row!.sent_at).toBe(Date.parse(T0) / 1000);
    expect(row!.message_id_header).toBe(transport.sent[0]!.messageIdHeader);

    const mail = await PostalMime.parse(transport.sent[0]!.raw);
    expect(mail.subject).toBe('New post: Hello, D1');
    expect(mail.messageId).toBe(row!.message_id_header);
    expect(mail.html).toContain('A first post.');
    expect(mail.text).toContain(`${SITE}/blog/`);
    const header = (name: string) => mail.headers.find((h) => h.key === name)?.value;
    expect(header('list-unsubscribe-post')).toBe('List-Unsubscribe=One-Click');
    const oneClick = /<(https:[^>]+)>/.exec(header('list-unsubscribe') ?? '')![1]!;
    expect(oneClick.startsWith(`${SITE}/api/unsubscribe/one-click?token=`)).toBe(true);
    expect(header('list-id')).toBe('<blog.blog.example.com>');

    // The footer's links carry live tokens: one_click scoped to blog, and a preference_change token.
    const unsubscribeToken = new URL(oneClick).searchParams.get('token')!;
    expect(mail.text).toContain(`${SITE}/unsubscribe?token=${encodeURIComponent(unsubscribeToken)}`);
    const oneClickRow = await validateUnsubscribeToken(t.db, unsubscribeToken, time.clock());
    expect(oneClickRow).toMatchObject({ userId: alice.id, tokenType: 'one_click', contentType: 'blog' });
    const prefToken = decodeURIComponent(/\/preferences\?token=([^\s]+)/.exec(mail.text!)![1]!);
    expect(await validateUnsubscribeToken(t.db, prefToken, time.clock())).toMatchObject({ userId: alice.id, tokenType: 'preference_change' });

    const history = await rows<{ action: string }>(t.d1, 'SELECT action FROM email_notification_history ORDER BY timestamp, action');
    expect(history.map((h) => h.action).sort()).toEqual(['sent']); // queued is the notification row itself (no history row repeats it)
    const [stats] = await rows<{ date_key: string; content_type: string; total_sent: number }>(t.d1, 'SELECT * FROM email_statistics');
    expect(stats).toMatchObject({ date_key: '2026-11-25', content_type: 'blog', total_sent: 1 });
    // The last email sent is the notification's sent_at (no write to users repeats it); the reader's export says it.
    const user = (await t.db.query.users.findFirst({ where: (u, { eq }) => eq(u.id, alice.id) }))!;
    expect(user.lastEmailSentAt).toBeNull();
    expect((await exportReaderData(t.db, user, time.clock())).account.lastEmailSentAt).toBe(new Date(T0).toISOString());

    // Running again creates and sends nothing.
    const again = await processNotifications(deps);
    expect(again).toMatchObject({ fannedOut: 0, sent: 0, remaining: 0 });
    expect(transport.sent).toHaveLength(1);

    // The future post goes out once its publish date passes.
    time.set('2026-11-26T09:00:01Z');
    expect(await processNotifications(deps)).toMatchObject({ fannedOut: 1, sent: 1 });
  });
});

describe('processNotifications: transport faults', () => {
  it('retries a 429 no sooner than Retry-After, then sends with the same Message-ID', async () => {
    const time = settableClock(T0);
    await addReader(t.db, 'a@example.org');
    await addContent(t.db, { publishDate: '2026-11-25T09:00:00Z' });
    const transport = createFaultInjectionTransport({ script: ['429'], retryAfterSeconds: 120 });
    const deps = { db: t.db, transport, clock: time.clock, config: testConfig(), random: () => 0 };

    expect(await processNotifications(deps)).toMatchObject({ sent: 0, retried: 1, remaining: 0 });
    const [failed] = await notifications();
    expect(failed).toMatchObject({ status: 'failed', retry_count: 1, lease_expires_at: null });
    expect(failed!.next_retry_at).toBe(Date.parse(T0) / 1000 + 120); // jitter 0, but at least Retry-After

    time.advance(119);
    expect(await processNotifications(deps)).toMatchObject({ sent: 0, retried: 0 });
    time.advance(1);
    expect(await processNotifications(deps)).toMatchObject({ sent: 1 });
    const [sent] = await notifications();
    expect(sent).toMatchObject({ status: 'sent', retry_count: 1, next_retry_at: null });
    expect(transport.attempts.map((a) => a.email.messageIdHeader)).toEqual([sent!.message_id_header, sent!.message_id_header]);
    const actions = await rows<{ action: string; retry_attempt: number }>(
      t.d1,
      "SELECT action, retry_attempt FROM email_notification_history WHERE action <> 'queued' ORDER BY retry_attempt",
    );
    expect(actions).toEqual([
      { action: 'retry_scheduled', retry_attempt: 1 },
      { action: 'sent', retry_attempt: 2 },
    ]);
  });

  it('gives up after MAX_ATTEMPTS transient failures with a final failed and no next retry', async () => {
    const time = settableClock(T0);
    await addReader(t.db, 'a@example.org');
    await addContent(t.db, { publishDate: '2026-11-25T09:00:00Z' });
    const transport = createFaultInjectionTransport({ script: () => '500' });
    const deps = { db: t.db, transport, clock: time.clock, config: testConfig({ MAX_ATTEMPTS: '5' }), random: () => 0.999 };
    const summaries = [];
    for (let i = 0; i < 8; i++) {
      summaries.push(await processNotifications(deps));
      time.advance(7 * 3600); // past the 6 h backoff cap
    }
    expect(transport.attempts).toHaveLength(5);
    expect(summaries.map((s) => [s.retried, s.failed])).toEqual([
      [1, 0],
      [1, 0],
      [1, 0],
      [1, 0],
      [0, 1],
      [0, 0],
      [0, 0],
      [0, 0],
    ]);
    const [row] = await notifications();
    expect(row).toMatchObject({ status: 'failed', retry_count: 5, next_retry_at: null });
    const [stats] = await rows<{ total_failed: number; total_sent: number }>(t.d1, 'SELECT * FROM email_statistics');
    expect(stats).toMatchObject({ total_failed: 1, total_sent: 0 });
  });

  it.each([
    ['500', 'retried', 'http_500'],
    ['timeout', 'retried', 'timeout'],
    ['401', 'failed', 'http_401'],
    ['400', 'failed', 'http_400'],
  ] as const)('classifies a %s as %s (code %s)', async (fault, outcome, code) => {
    const time = settableClock(T0);
    await addReader(t.db, 'a@example.org');
    await addContent(t.db, { publishDate: '2026-11-25T09:00:00Z' });
    const transport = createFaultInjectionTransport({ script: [fault] });
    const summary = await processNotifications({ db: t.db, transport, clock: time.clock, config: testConfig(), random: () => 0.5 });
    expect(summary[outcome]).toBe(1);
    const [row] = await notifications();
    expect(row!.status).toBe('failed');
    expect(row!.next_retry_at === null).toBe(outcome === 'failed');
    const [history] = await rows<{ action: string; error_code: string }>(
      t.d1,
      "SELECT action, error_code FROM email_notification_history WHERE action <> 'queued'",
    );
    expect(history).toEqual({ action: outcome === 'failed' ? 'failed' : 'retry_scheduled', error_code: code });
  });

  it('fails a permanent error (400) at once, without retrying', async () => {
    const time = settableClock(T0);
    await addReader(t.db, 'a@example.org');
    await addContent(t.db, { publishDate: '2026-11-25T09:00:00Z' });
    const transport = createFaultInjectionTransport({ script: ['400'] });
    const deps = { db: t.db, transport, clock: time.clock, config: testConfig() };
    expect(await processNotifications(deps)).toMatchObject({ failed: 1, retried: 0 });
    time.advance(24 * 3600);
    expect(await processNotifications(deps)).toMatchObject({ sent: 0, failed: 0 });
    expect(transport.attempts).toHaveLength(1);
    const [row] = await notifications();
    expect(row).toMatchObject({ status: 'failed', retry_count: 1, next_retry_at: null });
    expect(row!.error_message).toContain('400');
  });

  it('a crash after the provider accepted the message leaves it claimed; after the lease it is sent again with the same Message-ID', async () => {
    const time = settableClock(T0);
    await addReader(t.db, 'a@example.org');
    await addReader(t.db, 'b@example.org');
    await addContent(t.db, { publishDate: '2026-11-25T09:00:00Z' });
    const transport = createFaultInjectionTransport({ script: ['crash'] });
    const config = testConfig();
    const deps = { db: t.db, transport, clock: time.clock, config };

    await expect(processNotifications(deps)).rejects.toBeInstanceOf(SimulatedCrash);
    const accepted = transport.sent.length; // the crashed send, and any send already in flight beside it
    expect(accepted).toBeGreaterThanOrEqual(1);
    const stuck = await notifications();
    expect(stuck.every((r) => r.status === 'sending')).toBe(true); // nothing recorded: the worker "died"

    // Within the lease another run leaves the claims alone.
    time.advance(config.leaseSeconds - 1);
    expect(await processNotifications(deps)).toMatchObject({ sent: 0 });
    time.advance(1);
    expect(await processNotifications(deps)).toMatchObject({ sent: 2 });
    const crashed = transport.attempts.find((a) => a.outcome === 'crash')!.email;
    const copies = transport.sent.filter((e) => e.to === crashed.to);
    expect(copies).toHaveLength(2); // at least once: the duplicate is the documented cost
    expect(copies[1]!.messageIdHeader).toBe(crashed.messageIdHeader);
    expect(transport.sent).toHaveLength(accepted + 2);
    expect((await notifications()).map((r) => r.status)).toEqual(['sent', 'sent']);
  });
});

describe('processNotifications: a run that keeps dying', () => {
  it('counts each expired lease as an attempt and finally fails the row instead of resending for ever', async () => {
    const time = settableClock(T0);
    await addReader(t.db, 'a@example.org');
    await addContent(t.db, { publishDate: '2026-11-25T09:00:00Z' });
    const transport = createFaultInjectionTransport({ script: () => 'crash' });
    const config = testConfig({ MAX_ATTEMPTS: '5' });
    const deps = { db: t.db, transport, clock: time.clock, config };
    for (let i = 0; i < 8; i++) {
      await processNotifications(deps).catch((error: unknown) => expect(error).toBeInstanceOf(SimulatedCrash));
      time.advance(config.leaseSeconds);
    }
    expect(transport.attempts).toHaveLength(5);
    expect(new Set(transport.sent.map((e) => e.messageIdHeader)).size).toBe(1);
    const [row] = await notifications();
    expect(row).toMatchObject({ status: 'failed', retry_count: 5, next_retry_at: null, lease_expires_at: null });
    const [history] = await rows<{ error_code: string; retry_attempt: number }>(
      t.d1,
      "SELECT error_code, retry_attempt FROM email_notification_history WHERE action = 'failed'",
    );
    expect(history).toEqual({ error_code: 'lease_expired', retry_attempt: 5 });
  });
});

describe('processNotifications: eligibility at send time', () => {
  it('cancels instead of sending when the reader unsubscribed, bounced or was blocked after the fan-out', async () => {
    const time = settableClock(T0);
    const transport = createFaultInjectionTransport();
    const deps = { db: t.db, transport, clock: time.clock, config: testConfig() };
    const stays = await addReader(t.db, 'stays@example.org', { blog: true, thought: true });
    const leaves = await addReader(t.db, 'leaves@example.org', { blog: true, thought: true });
    const bounces = await addReader(t.db, 'bounces@example.org');
    const soft = await addReader(t.db, 'soft@example.org');
    const blocked = await addReader(t.db, 'blocked@example.org');
    await addContent(t.db, { publishDate: '2026-11-25T09:00:00Z' });
    await addContent(t.db, { type: 'thought', publishDate: '2026-11-25T09:00:00Z' });

    // Fan out only (no sending yet), then the readers change before the run that sends.
    const { fanOutPublished } = await import('../integration/delivery/fanout');
    expect((await fanOutPublished(t.db, time.clock(), { hourUtc: 8, weeklyDay: 1 })).notifications).toBe(7);

    // Turned off directly (as a preference change racing the run would): only the send-time check stops it.
    await t.d1.prepare('UPDATE users SET email_blog_updates = 0 WHERE id = ?').bind(leaves.id).run();
    await recordBounce(t.db, 'BOUNCES@example.org', 'hard', { now: time.clock() });
    for (let i = 0; i < 2; i++) await recordBounce(t.db, 'soft@example.org', 'soft', { now: time.clock() });
    await t.d1.prepare("UPDATE users SET email_status = 'blocked' WHERE id = ?").bind(blocked.id).run();

    const summary = await processNotifications(deps);
    expect(summary).toMatchObject({ sent: 4, cancelled: 3 });
    expect(transport.sent.map((e) => e.to).sort()).toEqual([
      'leaves@example.org', // the thought
      'soft@example.org', // two soft bounces are under the limit of 3
      'stays@example.org',
      'stays@example.org',
    ]);
    const byUser = await rows<{ user_id: string; status: string }>(t.d1, 'SELECT user_id, status FROM email_notifications');
    const statusOf = (id: string) =>
      byUser
        .filter((r) => r.user_id === id)
        .map((r) => r.status)
        .sort();
    expect(statusOf(stays.id)).toEqual(['sent', 'sent']);
    expect(statusOf(leaves.id)).toEqual(['cancelled', 'sent']);
    expect(statusOf(bounces.id)).toEqual(['cancelled']);
    expect(statusOf(blocked.id)).toEqual(['cancelled']);
    expect(statusOf(soft.id)).toEqual(['sent']);
    const cancelledHistory = await rows(t.d1, "SELECT * FROM email_notification_history WHERE action = 'cancelled'");
    expect(cancelledHistory).toHaveLength(3);

    // The third soft bounce marks the address bounced; a later post skips it entirely.
    expect(await recordBounce(t.db, 'soft@example.org', 'soft', { now: time.clock() })).toMatchObject({ emailStatus: 'bounced', bounceCount: 3 });
    await addContent(t.db, { publishDate: '2026-11-25T09:30:00Z' });
    transport.sent.length = 0;
    await processNotifications(deps);
    expect(transport.sent.map((e) => e.to)).toEqual(['stays@example.org']);
    const [stats] = await rows<{ total_bounced: number }>(t.d1, "SELECT total_bounced FROM email_statistics WHERE content_type = 'all'");
    expect(stats!.total_bounced).toBe(4);
    expect(await recordBounce(t.db, 'nobody@example.org', 'hard')).toBeNull();
  });
});
