import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestD1, type TestD1 } from '../../test/helpers/d1';
import { createDb } from '../../db/client';
import { createEmailNotification } from '../../db/delivery/notifications';
import { reserveSends } from '../../db/delivery/send-allowance';
import { toUnixSeconds } from '../../db/time';
import { createUser } from '../../db/readers/users';
import { ConfigError, loadDeliveryConfig } from './config';
import { runHousekeeping } from './housekeeping';
import type { DeliveryDeps } from './processor';
import { dispatchLimit, MAX_DISPATCH_PER_RUN } from './queue-dispatch';
import { describeBody, handleQueue, messageKind } from './queue-handlers';
import { messageIds } from './queue-consumer';
import { handleScheduled } from './scheduled';

let t: TestD1;
beforeAll(async () => {
  t = await createTestD1();
});
afterAll(async () => t?.dispose());

const LOCAL = { SITE_URL: 'http://localhost:4321' };

describe('DELIVERY_MODE and the queue handler', () => {
  it('defaults to cron, accepts queue, and names a bad value', () => {
    expect(loadDeliveryConfig(LOCAL).deliveryMode).toBe('cron');
    expect(loadDeliveryConfig({ ...LOCAL, DELIVERY_MODE: 'queue' })).toMatchObject({
      deliveryMode: 'queue',
      deliveryQueue: 'notify-delivery',
      deadLetterQueue: 'notify-delivery-dlq',
    });
    expect(() => loadDeliveryConfig({ ...LOCAL, DELIVERY_MODE: 'workflows' })).toThrow(ConfigError);
    expect(() => loadDeliveryConfig({ ...LOCAL, DELIVERY_MODE: 'workflows' })).toThrow(/DELIVERY_MODE/);
  });

  it('a queue-mode cron run without the producer binding fails loudly, naming the binding and the README section', async () => {
    const lines: string[] = [];
    const log = { log: (l: string) => lines.push(l), error: (l: string) => lines.push(l) };
    const run = handleScheduled({ cron: '* * * * *' }, { DB: t.d1, ...LOCAL, DELIVERY_MODE: 'queue' }, { waitUntil: () => {} }, log);
    await expect(run).rejects.toThrow(/DELIVERY_QUEUE queue producer binding.*Delivery at scale/);
    expect(JSON.parse(lines[0]!)).toMatchObject({ event: 'notifications_failed' });
  });

  it('routes each message by its shape whatever the queue is called, and refuses loudly what fits no handler', async () => {
    const lines: { level: string; line: string }[] = [];
    const log = {
      log: (l: string) => lines.push({ level: 'log', line: l }),
      warn: (l: string) => lines.push({ level: 'warn', line: l }),
      error: (l: string) => lines.push({ level: 'error', line: l }),
    };
    const acked: string[] = [];
    const retried: string[] = [];
    const msg = (id: string, body: unknown) => ({ id, body, attempts: 1, ack: () => acked.push(id), retry: () => retried.push(id) });
    const event = { type: 'cf.email.sending.message.deferred', payload: { eventId: 'e1', recipient: 'a@readers.test' } };
    const report = await handleQueue(
      {
        queue: 'someone-elses',
        messages: [
          msg('a', { kind: 'delivery', ids: [] }),
          msg('b', 'x'),
          msg('c', { ids: [1, 2] }),
          msg('d', { ids: Array(201).fill('id') }),
          msg('e', event),
          msg('f', { hello: 1 }),
        ],
      },
      { DB: t.d1, ...LOCAL },
      {},
      log,
    );
    expect(report).toMatchObject({ queue: 'someone-elses', refused: 2, emailEvents: 1, delivery: { invalid: 3, sent: 0 } });
    expect(acked.sort()).toEqual(['a', 'c', 'd', 'e']); // malformed delivery messages can never be sent: acked, counted, not retried for ever
    expect(retried.sort()).toEqual(['b', 'f']);
    const refused = lines.filter((l) => l.level === 'error').map((l) => JSON.parse(l.line) as { event: string; id: string; arrived: string });
    expect(refused.map((r) => [r.event, r.id, r.arrived])).toEqual([
      ['queue_message_refused', 'b', 'string'],
      ['queue_message_refused', 'f', 'an object with keys [hello]'],
    ]);
    // Delivery messages on a queue that is neither configured name: sent, with a warning that names both variables.
    expect(
      lines
        .filter((l) => l.level === 'warn')
        .map((l) => l.line)
        .join(),
    ).toMatch(/queue_name_unconfigured.*DELIVERY_QUEUE_NAME.*DELIVERY_DLQ_NAME/);
    expect(messageIds({ ids: ['n1', 'n2'] })).toEqual(['n1', 'n2']); // the shape dispatched before messages had a kind
    expect(messageIds({ kind: 'delivery', ids: ['n1'] })).toEqual(['n1']);
    expect(messageIds({ kind: 'other', ids: ['n1'] })).toBeUndefined();
  });

  it('tells messages apart by shape: delivery (with or without kind), Email Service event, or neither', () => {
    expect(messageKind({ kind: 'delivery', ids: ['a'] })).toBe('delivery');
    expect(messageKind({ ids: ['a'] })).toBe('delivery');
    expect(messageKind({ type: 'cf.email.sending.message.bounced', payload: {} })).toBe('email-event');
    expect(messageKind({ type: 'cf.email.sending.message.deferred' })).toBe('email-event');
    expect(messageKind({ type: 'cf.r2.object.create', ids: ['a'] })).toBe('unknown');
    expect(messageKind({ kind: 'report' })).toBe('unknown');
    expect(messageKind(null)).toBe('unknown');
    expect(messageKind([{ ids: ['a'] }])).toBe('unknown');
    expect(describeBody({ a: 1, type: 'x.y' })).toBe('an object with keys [a, type] and type "x.y"');
    expect(describeBody([1, 2])).toBe('an array of 2');
  });

  it('the dead-letter queue alone is chosen by name (DELIVERY_DLQ_NAME)', async () => {
    const acked: string[] = [];
    const msg = (id: string, body: unknown) => ({ id, body, attempts: 1, ack: () => acked.push(id), retry: () => {} });
    const report = await handleQueue(
      { queue: 'mail-dead', messages: [msg('a', { kind: 'delivery', ids: ['nope'] })] },
      { DB: t.d1, ...LOCAL, DELIVERY_DLQ_NAME: 'mail-dead' },
      {},
      { log() {}, warn() {}, error() {} },
    );
    expect(report).toMatchObject({ deadLetters: { failed: 0, invalid: 0 }, refused: 0 });
    expect(report.delivery).toBeUndefined();
    expect(acked).toEqual(['a']);
  });

  it('a message whose rows another consumer holds waits through the producer (acked, lease extended), or is retried when that send fails', async () => {
    const db = createDb(t.d1);
    const now = new Date('2026-11-02T09:00:00Z'); // the test's one clock
    const user = await createUser(db, { email: 'held@queue.test' });
    const id = await createEmailNotification(db, {
      userId: user.id,
      contentType: 'blog',
      contentId: 'blog/held',
      contentTitle: 'Held',
      contentUrl: 'https://blog.test/held/',
    });
    await t.d1
      .prepare("UPDATE email_notifications SET status = 'sending', lease_expires_at = ?2 WHERE id = ?1")
      .bind(id, toUnixSeconds(now) + 120)
      .run();
    const tune = (deps: DeliveryDeps): DeliveryDeps => ({ ...deps, clock: () => now });
    const quiet = { log() {}, warn() {}, error() {} };
    const outcomes: string[] = [];
    const msg = {
      id: 'm1',
      body: { kind: 'delivery', ids: [id] },
      attempts: 1,
      ack: () => outcomes.push('ack'),
      retry: (o?: { delaySeconds?: number }) => outcomes.push(`retry:${o?.delaySeconds}`),
    };
    const sent: unknown[] = [];
    const producer = { sendBatch: async (batch: Iterable<unknown>) => void sent.push(...batch) };
    const waited = await handleQueue({ queue: 'notify-delivery', messages: [msg] }, { DB: t.d1, ...LOCAL, DELIVERY_QUEUE: producer }, { tune }, quiet);
    expect(waited.delivery).toMatchObject({ waited: 1, retried: 0, sent: 0 });
    expect(outcomes).toEqual(['ack']);
    expect(sent).toEqual([{ body: { kind: 'delivery', ids: [id] }, contentType: 'json', delaySeconds: 120 }]); // until the claim expires

    outcomes.length = 0;
    const broken = { sendBatch: async () => Promise.reject(new Error('queue unavailable')) };
    const retried = await handleQueue({ queue: 'notify-delivery', messages: [msg] }, { DB: t.d1, ...LOCAL, DELIVERY_QUEUE: broken }, { tune }, quiet);
    expect(retried.delivery).toMatchObject({ waited: 0, retried: 1 });
    expect(retried.delivery!.errors.join()).toMatch(/could not re-send it to wait \(queue unavailable\)/);
    expect(outcomes).toEqual(['retry:120']);
  });

  it('the send reservation grants what is left, says when to come back, and survives daily housekeeping', async () => {
    const db = createDb(t.d1);
    const at = new Date('2026-11-30T03:17:30Z'); // housekeeping's own minute, hours into the UTC day
    const limits = { ratePerMinute: 0, dailyCap: 10 };
    expect(await reserveSends(db, 7, limits, at)).toEqual({ granted: 7 });
    await runHousekeeping(db, at);
    expect(await reserveSends(db, 7, limits, at)).toEqual({ granted: 3, retryAt: new Date('2026-12-01T00:00:00Z') });
    expect(await reserveSends(db, 1, limits, new Date('2026-12-01T00:00:01Z'))).toEqual({ granted: 1 });
    // The per-minute rate: 1 already went in this minute, so 11 of 12 are left.
    const perMinute = { ratePerMinute: 12, dailyCap: 0 };
    const minute = new Date('2026-12-01T00:00:30Z');
    expect(await reserveSends(db, 8, perMinute, minute)).toEqual({ granted: 8 });
    expect(await reserveSends(db, 8, perMinute, minute)).toEqual({ granted: 3, retryAt: new Date('2026-12-01T00:01:00Z') });
    expect(await reserveSends(db, 8, perMinute, new Date('2026-12-01T00:01:00Z'))).toEqual({ granted: 8 });
  });

  it('dispatches at most five minutes of the provider rate, less what is already in flight', () => {
    expect(dispatchLimit({ ratePerMinute: 150 })).toBe(750);
    expect(dispatchLimit({ ratePerMinute: 150 }, 600)).toBe(150);
    expect(dispatchLimit({ ratePerMinute: 150 }, 750)).toBe(0);
    expect(dispatchLimit({ ratePerMinute: 150 }, 900)).toBe(0); // never negative (a lowered rate)
    expect(dispatchLimit({ ratePerMinute: 0 }, 5_000)).toBe(MAX_DISPATCH_PER_RUN);
    expect(dispatchLimit({ ratePerMinute: 0 })).toBe(MAX_DISPATCH_PER_RUN);
    expect(dispatchLimit({ ratePerMinute: 1_000_000 })).toBe(MAX_DISPATCH_PER_RUN);
  });
});
