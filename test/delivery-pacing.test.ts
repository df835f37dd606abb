import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { allowance } from '../integration/delivery/pacing';
import { processNotifications } from '../integration/delivery/processor';
import { createFaultInjectionTransport } from './helpers/fault-injection';
import { createTestD1, type TestD1 } from './helpers/d1';
import { addContent, addReader, clearTables, settableClock, testConfig } from './helpers/delivery';

describe('allowance', () => {
  const now = new Date('2026-11-25T23:59:30Z');
  it('is the smaller of what the minute and the day have left', () => {
    expect(allowance({ ratePerMinute: 150, dailyCap: 2000 }, { thisMinute: 100, today: 1000 }, now)).toEqual({ emails: 50 });
    expect(allowance({ ratePerMinute: 150, dailyCap: 2000 }, { thisMinute: 0, today: 1990 }, now)).toEqual({ emails: 10 });
    expect(allowance({ ratePerMinute: 0, dailyCap: 0 }, { thisMinute: 10 ** 6, today: 10 ** 6 }, now)).toEqual({ emails: Infinity });
  });
  it('names the next window: the next minute, or the next UTC midnight when the day is spent', () => {
    expect(allowance({ ratePerMinute: 150, dailyCap: 2000 }, { thisMinute: 150, today: 150 }, now)).toEqual({
      emails: 0,
      nextWindowAt: new Date('2026-11-26T00:00:00Z'),
    });
    const noon = new Date('2026-11-25T12:00:42Z');
    expect(allowance({ ratePerMinute: 150, dailyCap: 2000 }, { thisMinute: 150, today: 150 }, noon).nextWindowAt).toEqual(new Date('2026-11-25T12:01:00Z'));
    expect(allowance({ ratePerMinute: 150, dailyCap: 2000 }, { thisMinute: 3, today: 2000 }, noon).nextWindowAt).toEqual(new Date('2026-11-26T00:00:00Z'));
  });
});

describe('pacing in the processor', () => {
  let t: TestD1;
  beforeAll(async () => {
    t = await createTestD1();
  });
  afterAll(async () => t?.dispose());
  beforeEach(async () => clearTables(t.d1));

  it('holds what exceeds the daily cap until the next UTC day, and reports deferred and the next window', async () => {
    const time = settableClock('2026-11-25T23:58:00Z');
    const transport = createFaultInjectionTransport();
    const deps = { db: t.db, transport, clock: time.clock, config: testConfig({ RATE_PER_MINUTE: '0', DAILY_CAP: '3' }) };
    for (let i = 0; i < 5; i++) await addReader(t.db, `r${i}@example.org`);
    await addContent(t.db, { publishDate: '2026-11-25T23:00:00Z' });
    await addContent(t.db, { publishDate: '2026-11-25T23:00:00Z' });

    const first = await processNotifications(deps);
    expect(first).toMatchObject({ fannedOut: 10, sent: 3, deferred: 7, remaining: 7, nextWindowAt: '2026-11-26T00:00:00.000Z' });
    time.set('2026-11-25T23:59:59Z');
    expect(await processNotifications(deps)).toMatchObject({ sent: 0, deferred: 7, nextWindowAt: '2026-11-26T00:00:00.000Z' });

    time.set('2026-11-26T00:00:00Z'); // a new UTC day: a fresh cap
    expect(await processNotifications(deps)).toMatchObject({ sent: 3, deferred: 4, nextWindowAt: '2026-11-27T00:00:00.000Z' });
    time.set('2026-11-27T00:00:01Z');
    expect(await processNotifications(deps)).toMatchObject({ sent: 3, deferred: 1 });
    time.set('2026-11-28T00:00:01Z');
    expect(await processNotifications(deps)).toMatchObject({ sent: 1, deferred: 0, remaining: 0 });
    expect(transport.sent).toHaveLength(10);
    expect(new Set(transport.sent.map((e) => e.messageIdHeader)).size).toBe(10);
  });

  it('holds what exceeds the per-minute rate until the next minute; a digest counts as one email', async () => {
    const time = settableClock('2026-11-25T12:00:10Z');
    const transport = createFaultInjectionTransport();
    const deps = { db: t.db, transport, clock: time.clock, config: testConfig({ RATE_PER_MINUTE: '2', DAILY_CAP: '100' }) };
    await addReader(t.db, 'digest@example.org', { frequency: 'daily' });
    for (let i = 0; i < 3; i++) await addReader(t.db, `now${i}@example.org`);
    await addContent(t.db, { publishDate: '2026-11-25T11:00:00Z' });
    await addContent(t.db, { publishDate: '2026-11-25T11:30:00Z' });

    expect(await processNotifications(deps)).toMatchObject({ sent: 2, deferred: 4, nextWindowAt: '2026-11-25T12:01:00.000Z' });
    time.set('2026-11-25T12:00:59Z');
    expect(await processNotifications(deps)).toMatchObject({ sent: 0 });
    time.set('2026-11-25T12:01:00Z');
    expect(await processNotifications(deps)).toMatchObject({ sent: 2, deferred: 2 });
    time.set('2026-11-26T08:00:00Z'); // digest slot: the 2-row digest and the 2 leftovers fit in 2 minutes
    expect(await processNotifications(deps)).toMatchObject({ sent: 2, deferred: 1 });
    time.set('2026-11-26T08:01:00Z');
    expect(await processNotifications(deps)).toMatchObject({ sent: 1, deferred: 0, remaining: 0 });
    expect(transport.sent).toHaveLength(7); // 6 singles + 1 digest
  });
});
