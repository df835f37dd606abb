// The suppression list and what feedback does downstream, on real local D1: the fan-out, the
// claim (eligibility at send time), subscribe, rates, the complaint pause, and end to end a
// bounce webhook that keeps a reader's next post from being sent.
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { applyFeedbackEvent, getDailyRates } from '../db/feedback/events';
import { complaintRate, getBulkPause, resumeBulkSending } from '../db/delivery/pause';
import { enqueueNotificationsForContent, getSubscribersForContentType } from '../db/delivery/notifications';
import { addressHash } from '../db/crypto';
import { isSuppressed, suppressAddress, suppressedAmong, unsuppressAddress } from '../db/feedback/suppressions';
import { getUserByEmail } from '../db/readers/users';
import { processNotifications } from '../integration/delivery/processor';
import { queueVerificationEmail } from '../integration/delivery/verification';
import { createFaultInjectionTransport } from './helpers/fault-injection';
import { handlePostmarkWebhook } from '../integration/delivery/providers/postmark/webhook';
import { handleSubscribeApi } from '../integration/server/reader/subscribe';
import { createTestD1, type TestD1 } from './helpers/d1';
import { addContent, addReader, clearTables, rows, settableClock, testConfig } from './helpers/delivery';
import { fakeDeps, jsonRequest } from './helpers/reader';

let t: TestD1;
beforeAll(async () => {
  t = await createTestD1();
});
afterAll(async () => t?.dispose());
beforeEach(async () => {
  await clearTables(t.d1);
  await t.d1.batch(['suppressions', 'provider_events', 'delivery_state'].map((x) => t.d1.prepare(`DELETE FROM ${x}`)));
});

const T0 = '2026-11-30T10:00:00Z';
const run = (clock: () => Date, transport = createFaultInjectionTransport()) => ({ deps: { db: t.db, transport, clock, config: testConfig() }, transport });

describe('the suppression list', () => {
  it('hashes the normalised address (trim, lower-case, NFC) and keeps no readable address', async () => {
    await suppressAddress(t.db, '  Zoe.E\u0301@Example.ORG ', { reason: 'manual', source: 'admin' });
    expect(await isSuppressed(t.db, 'zoe.\u00e9@example.org')).toBe(true);
    expect(await isSuppressed(t.db, 'zoe@example.org')).toBe(false);
    const [row] = await rows<Record<string, unknown>>(t.d1, 'SELECT * FROM suppressions');
    expect(row).toMatchObject({ address_hash: await addressHash('zoe.\u00e9@example.org'), reason: 'manual', source: 'admin' });
    expect(JSON.stringify(row)).not.toContain('example');
    expect([...(await suppressedAmong(t.db, ['a@example.org', 'ZOE.\u00c9@example.org']))]).toEqual(['ZOE.\u00c9@example.org']);
    await expect(suppressAddress(t.db, 'x@example.org', { reason: 'spam' as never, source: 'admin' })).rejects.toThrow(/reason/);
    expect(await unsuppressAddress(t.db, 'zoe.\u00e9@example.org')).toBe(true);
    expect(await isSuppressed(t.db, 'zoe.\u00e9@example.org')).toBe(false);
  });

  it("survives the reader's erasure, and subscribe then gives the same answer, stores no row and sends nothing", async () => {
    const ann = await addReader(t.db, 'ann@example.org');
    await suppressAddress(t.db, 'ann@example.org', { reason: 'hard_bounce', source: 'ses' });
    await t.d1.prepare('DELETE FROM users WHERE id = ?').bind(ann.id).run();
    expect(await isSuppressed(t.db, 'ann@example.org')).toBe(true);

    const deps = fakeDeps();
    const body = { email: 'Ann@example.org', contentTypes: ['blog'], frequency: 'immediate' };
    const suppressed = await handleSubscribeApi(t.db, jsonRequest('/api/subscribe', body), deps);
    const fresh = await handleSubscribeApi(t.db, jsonRequest('/api/subscribe', { ...body, email: 'new@example.org' }), deps);
    expect(suppressed.status).toBe(202);
    expect(await suppressed.json()).toEqual(await fresh.json());
    // Suppressed means no row: the address is not stored again and nothing is mailed to it
    // (test/reader-suppressed.test.ts); the answer's round trips match any other address.
    expect(deps.sent.map((s) => s.email)).toEqual(['new@example.org']);
    expect(await isSuppressed(t.db, 'ann@example.org')).toBe(true);
    expect((await t.d1.prepare("SELECT count(*) AS n FROM users WHERE email = 'ann@example.org'").first<{ n: number }>())!.n).toBe(0);
    for (const s of deps.sent) await queueVerificationEmail(t.db, s);
    const { deps: runDeps, transport } = run(() => new Date());
    await processNotifications(runDeps);
    expect(transport.sent.map((m) => m.to)).toEqual(['new@example.org']);
  });

  it('the fan-out skips suppressed readers, including one created before users.email_hash existed', async () => {
    await addReader(t.db, 'keep@example.org');
    await addReader(t.db, 'gone@example.org');
    const old = await addReader(t.db, 'old@example.org');
    await t.d1.prepare('UPDATE users SET email_hash = NULL WHERE id = ?').bind(old.id).run(); // as after migration 0017
    await suppressAddress(t.db, 'gone@example.org', { reason: 'complaint', source: 'postmark' });
    await suppressAddress(t.db, 'OLD@example.org', { reason: 'manual', source: 'admin' }); // stamps the hash
    const item = await addContent(t.db, { publishDate: T0 });
    expect(await enqueueNotificationsForContent(t.db, item, { now: new Date(T0) })).toBe(1);
    const queued = await rows<{ email: string }>(t.d1, 'SELECT u.email FROM email_notifications n JOIN users u ON u.id = n.user_id');
    expect(queued.map((r) => r.email)).toEqual(['keep@example.org']);
    expect((await getSubscribersForContentType(t.db, 'blog')).map((u) => u.email)).toEqual(['keep@example.org']);
  });

  it('eligibility at send time cancels mail already queued for an address suppressed since', async () => {
    const time = settableClock(T0);
    await addReader(t.db, 'late@example.org');
    await addReader(t.db, 'fine@example.org');
    const item = await addContent(t.db, { publishDate: T0 });
    await enqueueNotificationsForContent(t.db, item, { now: new Date(T0) });
    await t.d1.prepare('UPDATE content_items SET notification_sent = 1').run();
    await suppressAddress(t.db, 'late@example.org', { reason: 'provider', source: 'cloudflare' });
    const { deps, transport } = run(time.clock);
    const summary = await processNotifications(deps);
    expect(summary).toMatchObject({ sent: 1, cancelled: 1 });
    expect(transport.sent.map((e) => e.to)).toEqual(['fine@example.org']);
  });
});

describe('feedback events', () => {
  it('a complaint cancels pending mail, and the third soft bounce marks the reader bounced (as recordBounce)', async () => {
    const bo = await addReader(t.db, 'bo@example.org');
    const item = await addContent(t.db, { publishDate: T0 });
    await enqueueNotificationsForContent(t.db, item, { now: new Date(T0) });
    await applyFeedbackEvent(t.db, { provider: 'cloudflare', eventId: 'c1', kind: 'complaint', recipient: 'bo@example.org' }, { now: new Date(T0) });
    expect(await rows(t.d1, 'SELECT status FROM email_notifications WHERE user_id = ?', bo.id)).toEqual([{ status: 'cancelled' }]);
    const actions = await rows<{ action: string }>(t.d1, "SELECT action FROM email_notification_history WHERE user_id = ? AND action <> 'queued'", bo.id);
    expect(actions.map((a) => a.action)).toEqual(['complained']);

    await addReader(t.db, 'cy@example.org');
    for (let i = 1; i <= 3; i++) {
      const result = await applyFeedbackEvent(t.db, { provider: 'resend', eventId: `s${i}`, kind: 'soft_bounce', recipient: 'cy@example.org' });
      expect(result).toEqual({ applied: true, readerFound: true });
    }
    expect((await getUserByEmail(t.db, 'cy@example.org'))!.emailStatus).toBe('bounced');
    expect(await isSuppressed(t.db, 'cy@example.org')).toBe(false);
    // An event about an address with no reader still suppresses and counts.
    expect(await applyFeedbackEvent(t.db, { provider: 'ses', eventId: 'h1', kind: 'hard_bounce', recipient: 'nobody@example.org' })).toEqual({
      applied: true,
      readerFound: false,
    });
    expect(await isSuppressed(t.db, 'nobody@example.org')).toBe(true);
  });

  it('daily bounce and complaint rates come from the statistics counters', async () => {
    await t.d1
      .prepare(
        "INSERT INTO email_statistics (id, date_key, content_type, total_sent) VALUES ('a', '2026-11-30', 'blog', 150), ('b', '2026-11-30', 'thought', 50)",
      )
      .run();
    const now = new Date(T0);
    await applyFeedbackEvent(t.db, { provider: 'ses', eventId: 'b1', kind: 'hard_bounce', recipient: 'a@example.org' }, { now });
    await applyFeedbackEvent(t.db, { provider: 'ses', eventId: 'b2', kind: 'soft_bounce', recipient: 'b@example.org' }, { now });
    await applyFeedbackEvent(t.db, { provider: 'ses', eventId: 'c1', kind: 'complaint', recipient: 'c@example.org' }, { now });
    expect(await getDailyRates(t.db, '2026-11-29', '2026-12-01')).toEqual([
      { dateKey: '2026-11-30', sent: 200, delivered: 0, bounced: 2, complained: 1, bounceRate: 0.01, complaintRate: 0.005 },
    ]);
  });
});

/** n `sent` history rows for one reader, at `at` (one statement). */
async function sentHistory(userId: string, n: number, at: Date) {
  await t.d1
    .prepare(
      `WITH RECURSIVE seq(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM seq WHERE i < ?1)
       INSERT INTO email_notification_history (id, user_id, action, details, timestamp)
       SELECT 'sent-' || ?3 || '-' || i, ?2, 'sent', json_object('messageId', '<m' || i || '>'), ?3 FROM seq`,
    )
    .bind(n, userId, Math.floor(at.getTime() / 1000))
    .run();
}

describe('the complaint pause', () => {
  it('pauses bulk sending past 0.3% of the last sends, logs it once, says so in every summary, and stays paused until resumed', async () => {
    const time = settableClock(T0);
    const sender = await addReader(t.db, 'many@example.org');
    await sentHistory(sender.id, 600, new Date('2026-11-30T09:00:00Z'));
    await applyFeedbackEvent(
      t.db,
      { provider: 'ses', eventId: 'x1', kind: 'complaint', recipient: 'p@example.org' },
      { now: new Date('2026-11-30T09:30:00Z') },
    );
    expect(await complaintRate(t.db, null)).toEqual({ sends: 600, complaints: 1, rate: 1 / 600 });
    await applyFeedbackEvent(
      t.db,
      { provider: 'ses', eventId: 'x2', kind: 'complaint', recipient: 'q@example.org' },
      { now: new Date('2026-11-30T09:31:00Z') },
    );

    await addReader(t.db, 'reader@example.org');
    await addContent(t.db, { publishDate: '2026-11-30T09:45:00Z' });
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => {});
    try {
      const { deps, transport } = run(time.clock);
      const first = await processNotifications(deps);
      expect(first.paused).toMatchObject({ howToResume: expect.stringContaining('npx astro-d1-notify delivery:resume --remote') });
      expect(first.paused!.reason).toMatch(/complaint rate 0\.33% \(2 of the last 600 sends\) passed 0\.3%/);
      expect(first).toMatchObject({ sent: 0, fannedOut: 2, remaining: 2 });
      expect(transport.sent).toEqual([]);
      expect(warn).toHaveBeenCalledTimes(1);
      expect(JSON.parse(String(warn.mock.calls[0]![0]))).toMatchObject({ event: 'bulk_sending_paused' });

      time.advance(3600);
      const second = await processNotifications(deps);
      expect(second.paused).toBeDefined();
      expect(transport.sent).toEqual([]);
      expect(warn).toHaveBeenCalledTimes(1); // logged when it paused, not on every run

      expect((await getBulkPause(t.db)).paused).toBe(true);
      await resumeBulkSending(t.db, time.clock());
      time.advance(60);
      const third = await processNotifications(deps);
      expect(third.paused).toBeUndefined();
      expect(third.sent).toBe(2);
    } finally {
      warn.mockRestore();
    }
  });
});

describe('recipients a provider reports as suppressed', () => {
  it("join our list (reason provider, source the transport's name), so the next post is not queued for them", async () => {
    const time = settableClock(T0);
    await addReader(t.db, 'blocked@example.org');
    await addReader(t.db, 'open@example.org');
    await addContent(t.db, { publishDate: '2026-11-30T09:00:00Z' });
    const transport = {
      name: 'cloudflare',
      send: async (email: { to: string }) =>
        email.to === 'blocked@example.org'
          ? { ok: false as const, retryable: false, code: 'recipient_suppressed', error: 'E_RECIPIENT_SUPPRESSED' }
          : { ok: true as const, providerMessageId: 'cf-1' },
    };
    const summary = await processNotifications({ db: t.db, transport, clock: time.clock, config: testConfig() });
    expect(summary).toMatchObject({ sent: 1, failed: 1 });
    expect(await rows(t.d1, 'SELECT reason, source FROM suppressions')).toEqual([{ reason: 'provider', source: 'cloudflare' }]);
    expect(await isSuppressed(t.db, 'blocked@example.org')).toBe(true);
    time.advance(600);
    await addContent(t.db, { publishDate: '2026-11-30T10:05:00Z' });
    expect((await processNotifications({ db: t.db, transport, clock: time.clock, config: testConfig() })).fannedOut).toBe(1);
  });
});

describe('end to end', () => {
  it('a Postmark hard-bounce webhook for a reader means the next post is not sent to them', async () => {
    const time = settableClock(T0);
    await addReader(t.db, 'bounce.me@example.org');
    await addReader(t.db, 'stay@example.org');
    await addContent(t.db, { title: 'First', publishDate: '2026-11-30T09:00:00Z' });
    const { deps, transport } = run(time.clock);
    expect((await processNotifications(deps)).sent).toBe(2);

    const webhook = await handlePostmarkWebhook(
      new Request('https://blog.example.com/api/webhooks/postmark', {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Basic ${btoa('u:p')}` },
        body: JSON.stringify({
          RecordType: 'Bounce',
          ID: 77,
          Type: 'HardBounce',
          TypeCode: 1,
          MessageID: transport.sent[0]!.messageIdHeader,
          Email: 'Bounce.Me@example.org',
          BouncedAt: T0,
        }),
      }),
      { db: t.db, user: 'u', password: 'p', now: time.clock },
    );
    expect(webhook.status).toBe(200);

    time.advance(3600);
    await addContent(t.db, { title: 'Second', publishDate: '2026-11-30T10:30:00Z' });
    transport.sent.length = 0;
    const next = await processNotifications(deps);
    expect(next.sent).toBe(1);
    expect(transport.sent.map((e) => e.to)).toEqual(['stay@example.org']);
  });
});
