/**
 * Defect 9: overlapping processor runs (cron + API route, or many Queues consumers) share one
 * allowance reserved atomically in D1, so together they never exceed the per-minute rate or
 * the daily cap. Two processors run at once against one local D1.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { releaseSendAllowance, reserveSendAllowance } from '../db/delivery/send-allowance';
import { processNotifications } from '../integration/delivery/processor';
import type { Transport } from '../integration/delivery/transport';
import { createFaultInjectionTransport } from './helpers/fault-injection';
import { createTestD1, type TestD1 } from './helpers/d1';
import { addContent, addReader, clearTables, rows, settableClock, testConfig } from './helpers/delivery';

let t: TestD1;
beforeAll(async () => {
  t = await createTestD1();
});
afterAll(async () => t?.dispose());
beforeEach(async () => {
  await clearTables(t.d1);
  await t.d1.prepare('DELETE FROM send_allowance').run();
});

/** A provider that takes a while to answer, so two runs' batches overlap. */
function slow(inner: Transport, ms: number): Transport {
  return { name: 'slow', send: async (email) => (await new Promise((r) => setTimeout(r, ms)), inner.send(email)) };
}

async function queue(readers: number) {
  for (let i = 0; i < readers; i++) await addReader(t.db, `r${i}@example.org`);
  await addContent(t.db, { publishDate: '2026-11-25T11:00:00Z' });
}

describe('two processors at once share one allowance', () => {
  it('never exceed the per-minute rate together', async () => {
    await queue(24);
    const time = settableClock('2026-11-25T12:00:10Z');
    const inner = createFaultInjectionTransport();
    const deps = { db: t.db, transport: slow(inner, 15), clock: time.clock, config: testConfig({ RATE_PER_MINUTE: '10', DAILY_CAP: '0' }) };
    const [a, b] = await Promise.all([processNotifications(deps, { batchSize: 4 }), processNotifications(deps, { batchSize: 4 })]);
    expect(a.sent + b.sent).toBe(10);
    expect(inner.sent).toHaveLength(10);
    expect(a.sent).toBeGreaterThan(0); // both runs really overlapped and shared the window
    expect(b.sent).toBeGreaterThan(0);
    expect(a.nextWindowAt ?? b.nextWindowAt).toBe('2026-11-25T12:01:00.000Z');

    time.set('2026-11-25T12:01:00Z'); // the next minute: another 10, again split between two runs
    const [c, d] = await Promise.all([processNotifications(deps, { batchSize: 4 }), processNotifications(deps, { batchSize: 4 })]);
    expect(c.sent + d.sent).toBe(10);
    const [row] = await rows<{ n: number }>(t.d1, "SELECT count(*) AS n FROM email_notifications WHERE status = 'sent'");
    expect(row?.n).toBe(20);
  });

  it('never exceed the daily cap together', async () => {
    await queue(20);
    const time = settableClock('2026-11-25T12:00:10Z');
    const inner = createFaultInjectionTransport();
    const deps = { db: t.db, transport: slow(inner, 10), clock: time.clock, config: testConfig({ RATE_PER_MINUTE: '0', DAILY_CAP: '7' }) };
    const runs = await Promise.all([1, 2, 3].map(() => processNotifications(deps, { batchSize: 3 })));
    expect(runs.reduce((sum, r) => sum + r.sent, 0)).toBe(7);
    time.set('2026-11-25T18:00:00Z');
    expect((await processNotifications(deps)).sent).toBe(0);
    expect(inner.sent).toHaveLength(7);
  });

  it('unused allowance is given back: an empty queue does not eat the window', async () => {
    const limits = { ratePerMinute: 10, dailyCap: 0 };
    const time = settableClock('2026-11-25T12:00:10Z');
    const deps = { db: t.db, transport: createFaultInjectionTransport(), clock: time.clock, config: testConfig({ RATE_PER_MINUTE: '10', DAILY_CAP: '0' }) };
    await processNotifications(deps); // nothing queued
    expect((await reserveSendAllowance(t.db, { want: 10, now: time.clock(), limits })).granted).toBe(10);
  });
});

describe('reserveSendAllowance (what a Queues consumer would call)', () => {
  it('many concurrent reservations grant exactly the limit in total', async () => {
    const now = new Date('2026-11-25T12:00:10Z');
    const limits = { ratePerMinute: 150, dailyCap: 2000 };
    const grants = await Promise.all(Array.from({ length: 20 }, () => reserveSendAllowance(t.db, { want: 10, now, limits })));
    expect(grants.reduce((sum, g) => sum + g.granted, 0)).toBe(150);
    expect(grants.filter((g) => g.granted === 0)).toHaveLength(5);
    await releaseSendAllowance(t.db, { unused: 4, reservedAt: now });
    expect((await reserveSendAllowance(t.db, { want: 10, now, limits })).granted).toBe(4);
    // A new minute starts from zero, the day keeps counting.
    const later = await reserveSendAllowance(t.db, { want: 10, now: new Date('2026-11-25T12:01:00Z'), limits });
    expect(later).toEqual({ granted: 10, minuteUsed: 10, dayUsed: 160 });
  });
});
