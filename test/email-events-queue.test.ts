// Cloudflare Email Service delivery events through a real queue in Miniflare: the production
// consumer, bundled for workerd, applies them to a real D1; a redelivered event changes nothing.
// Message bodies follow Cloudflare's documented `email.sending` event format.
import { resolve } from 'node:path';
import { convertV4MiniflareOptions, Miniflare } from 'miniflare';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bundleForWorkerd } from './helpers/workerd-bundle';
import { cloudflareFeedbackEvent } from '../integration/delivery/providers/cloudflare/events';
import { applyMigrations } from './helpers/d1';
import { startSnsStandin, TOPIC_ARN, type SnsStandin } from './helpers/sns-standin';

let mf: Miniflare | undefined;
let d1: D1Database;
let sns: SnsStandin;
/** The test's one clock: the stand-in's certificate, the messages' Timestamp and the verifier's now. */
const NOW = new Date('2026-11-30T12:00:00Z');

beforeAll(async () => {
  sns = await startSnsStandin({ now: () => NOW });
  const bundleText = await bundleForWorkerd(resolve(import.meta.dirname, 'fixtures/workerd-email-events/worker.ts'));
  mf = new Miniflare(
    convertV4MiniflareOptions({
      modules: true,
      script: bundleText,
      compatibilityDate: '2026-10-01',
      d1Databases: ['DB'],
      bindings: { SNS_STANDIN: sns.url },
      queueProducers: { EVENTS: 'email-events' },
      queueConsumers: { 'email-events': { maxBatchSize: 10, maxBatchTimeout: 1 } },
    }),
  );
  d1 = (await mf.getD1Database('DB')) as unknown as D1Database;
  await applyMigrations(d1);
}, 90_000);

afterAll(async () => Promise.all([mf?.dispose(), sns?.close()]));

const event = (kind: string, eventId: string, recipient: string, extra: object = {}) => ({
  type: `cf.email.sending.message.${kind}`,
  source: { type: 'email.sending', zoneId: '023e105f4ecef8ad9ca31a8372d0c353', domain: 'send.example.com' },
  payload: { eventId, messageId: `0101018f7d0c4d9a-msg-${eventId}`, sender: 'news@send.example.com', recipient, subject: 'New post', terminal: true, ...extra },
  metadata: {
    accountId: 'f9f79265f388666de8122cfb508d7776',
    eventSubscriptionId: '1830c4bb612e43c3af7f4cada31fbf3f',
    eventSchemaVersion: 1,
    eventTimestamp: '2026-11-30T11:48:57.132Z',
  },
});
const hardBounce = (id: string, to: string) =>
  event('bounced', id, to, {
    delivery: { status: 'bounced', provider: 'external_smtp', smtpStatusCode: '550', smtpEnhancedStatusCode: '5.1.1', smtpResponse: '550 5.1.1 User unknown' },
    bounce: { type: 'hard', classification: 'permanent_failure', reason: '550 5.1.1 User unknown' },
  });

async function until<T>(read: () => Promise<T>, done: (value: T) => boolean, ms = 20_000): Promise<T> {
  const started = Date.now();
  for (;;) {
    const value = await read();
    if (done(value) || Date.now() - started > ms) return value;
    await new Promise((r) => setTimeout(r, 200));
  }
}
const count = async (sql: string) => (await d1.prepare(sql).first<{ n: number }>())?.n ?? 0;

describe('Cloudflare Email Service events through Queues', () => {
  it('maps the documented event types', () => {
    expect(cloudflareFeedbackEvent(hardBounce('e1', 'a@example.org'))).toMatchObject({
      provider: 'cloudflare',
      eventId: 'e1',
      kind: 'hard_bounce',
      recipient: 'a@example.org',
      detail: '5.1.1',
    });
    expect(cloudflareFeedbackEvent(event('bounced', 'e2', 'a@example.org', { bounce: { type: 'soft' } }))).toMatchObject({ kind: 'soft_bounce' });
    expect(cloudflareFeedbackEvent(event('complained', 'e3', 'a@example.org', { complaint: { type: 'abuse' } }))).toMatchObject({
      kind: 'complaint',
      detail: 'abuse',
    });
    expect(cloudflareFeedbackEvent(event('delivered', 'e4', 'a@example.org'))).toMatchObject({ kind: 'delivered' });
    expect(cloudflareFeedbackEvent(event('deferred', 'e5', 'a@example.org'))).toBeNull();
    expect(cloudflareFeedbackEvent({ type: 'cf.kv.namespace.created', payload: {} })).toBeNull();
    expect(cloudflareFeedbackEvent('garbage')).toBeNull();
  });

  it('a bounce and a complaint from the queue bounce, unsubscribe and suppress readers; the same events again change nothing', async () => {
    await d1.batch([
      d1.prepare("INSERT INTO users (id, email, email_verified, email_blog_updates) VALUES ('u1', 'ann@example.org', 1, 1), ('u2', 'bo@example.org', 1, 1)"),
    ]);
    const messages = [
      hardBounce('evt-1', 'ann@example.org'),
      event('complained', 'evt-2', 'Bo@Example.org', { complaint: { type: 'abuse' } }),
      event('delivered', 'evt-3', 'bo@example.org'),
      event('deferred', 'evt-4', 'bo@example.org'),
    ];
    expect((await mf!.dispatchFetch('http://worker/', { method: 'POST', body: JSON.stringify(messages) })).status).toBe(200);
    await until(
      () => count('SELECT count(*) AS n FROM provider_events'),
      (n) => n === 3,
    );

    const readers = await d1.prepare('SELECT id, email_status, unsubscribe_all FROM users ORDER BY id').all();
    expect(readers.results).toEqual([
      { id: 'u1', email_status: 'bounced', unsubscribe_all: 0 },
      { id: 'u2', email_status: 'unsubscribed', unsubscribe_all: 1 },
    ]);
    expect((await d1.prepare('SELECT reason, source FROM suppressions ORDER BY reason').all()).results).toEqual([
      { reason: 'complaint', source: 'cloudflare' },
      { reason: 'hard_bounce', source: 'cloudflare' },
    ]);
    const stats = await d1.prepare('SELECT total_bounced, total_complained, total_delivered FROM email_statistics').all();
    expect(stats.results).toEqual([{ total_bounced: 1, total_complained: 1, total_delivered: 1 }]);

    // At-least-once delivery: the queue may hand the same events over again.
    await mf!.dispatchFetch('http://worker/', { method: 'POST', body: JSON.stringify([...messages, event('delivered', 'evt-5', 'x@example.org')]) });
    await until(
      () => count('SELECT count(*) AS n FROM provider_events'),
      (n) => n === 4,
    );
    expect((await d1.prepare('SELECT total_bounced, total_complained, total_delivered FROM email_statistics').all()).results).toEqual([
      { total_bounced: 1, total_complained: 1, total_delivered: 2 },
    ]);
    expect(await count("SELECT count(*) AS n FROM email_notification_history WHERE action IN ('bounced', 'complained')")).toBe(2);
  });

  it('the SNS signature check runs in workerd: both signature versions pass, a forged one fails', async () => {
    const fields = {
      Type: 'Notification' as const,
      MessageId: 'm-workerd',
      TopicArn: TOPIC_ARN,
      Message: '{"eventType":"Delivery"}',
      Timestamp: NOW.toISOString(),
    };
    for (const version of ['1', '2'] as const) {
      const verdict = await (
        await mf!.dispatchFetch(`http://worker/sns?now=${NOW.toISOString()}`, { method: 'POST', body: JSON.stringify(await sns.sign(fields, version)) })
      ).json();
      expect(verdict).toEqual({ ok: true });
    }
    const forged = { ...(await sns.sign(fields, '2')), Message: '{"eventType":"Bounce"}' };
    expect(await (await mf!.dispatchFetch(`http://worker/sns?now=${NOW.toISOString()}`, { method: 'POST', body: JSON.stringify(forged) })).json()).toEqual({
      ok: false,
      reason: 'The signature does not match.',
    });
  });
});
