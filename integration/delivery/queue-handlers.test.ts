import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestD1, type TestD1 } from '../../test/helpers/d1';
import { createDb } from '../../db/client';
import { reserveSends } from '../../db/send-allowance';
import { ConfigError, loadDeliveryConfig } from './config';
import { runHousekeeping } from './housekeeping';
import { dispatchLimit, MAX_DISPATCH_PER_RUN } from './queue-dispatch';
import { handleQueue } from './queue-handlers';
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
    expect(loadDeliveryConfig({ ...LOCAL, DELIVERY_MODE: 'queue' })).toMatchObject({ deliveryMode: 'queue', deliveryQueue: 'notify-delivery', deadLetterQueue: 'notify-delivery-dlq' });
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

  it('answers only its own queues, and drops malformed messages instead of retrying them for ever', async () => {
    await expect(handleQueue({ queue: 'someone-elses', messages: [] }, { DB: t.d1, ...LOCAL })).rejects.toThrow(/No consumer for queue "someone-elses"/);
    const acked: string[] = [];
    const msg = (id: string, body: unknown) => ({ id, body, attempts: 1, ack: () => acked.push(id), retry: () => {} });
    const summary = await handleQueue(
      { queue: 'notify-delivery', messages: [msg('a', { ids: [] }), msg('b', 'x'), msg('c', { ids: [1, 2] }), msg('d', { ids: Array(201).fill('id') })] },
      { DB: t.d1, ...LOCAL },
    );
    expect(summary).toMatchObject({ invalid: 4, sent: 0 });
    expect(acked).toEqual(['a', 'b', 'c', 'd']);
    expect(messageIds({ ids: ['n1', 'n2'] })).toEqual(['n1', 'n2']);
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

  it('dispatches at most five minutes of the provider rate per run', () => {
    expect(dispatchLimit({ ratePerMinute: 150 })).toBe(750);
    expect(dispatchLimit({ ratePerMinute: 0 })).toBe(MAX_DISPATCH_PER_RUN);
    expect(dispatchLimit({ ratePerMinute: 1_000_000 })).toBe(MAX_DISPATCH_PER_RUN);
  });
});
