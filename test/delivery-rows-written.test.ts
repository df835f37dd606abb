/**
 * What a send costs on Cloudflare: D1 bills rows written ($1 per million), indexes included, as its own `meta.rows_written`
 * says. Issue 19 halved them from fan-out to sent (53 → 25 per email: no `queued` history row, no users.last_email_sent_at
 * copy, no index another index already serves, none keyed by a status a claim or an outcome changes needlessly). This
 * holds the line: an index or a write added to the hot path shows here first (bench: `npm run bench -- delivery`).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDb } from '../db/client';
import { enqueueNotificationsForContent } from '../db/delivery/notifications';
import { processNotifications } from '../integration/delivery/processor';
import { createLoopbackTransport } from './helpers/fault-injection';
import { createTestD1, type TestD1 } from './helpers/d1';
import { addContent, addReader, testConfig } from './helpers/delivery';

const READERS = 20;
const NOW = new Date('2026-11-25T10:00:00Z');

/** The binding with every answer's meta.rows_written summed (writes go through run() or batch(), both carry meta). */
function countingWrites(d1: D1Database) {
  const counter = { written: 0 };
  const add = (r: { meta?: { rows_written?: number } }) => (counter.written += r.meta?.rows_written ?? 0);
  const raw = new WeakMap<object, D1PreparedStatement>();
  const wrap = (stmt: D1PreparedStatement): D1PreparedStatement => {
    const proxy = new Proxy(stmt, {
      get(target, prop) {
        if (prop === 'bind') return (...args: unknown[]) => wrap(target.bind(...args));
        if (prop === 'run' || prop === 'all')
          return async (...args: unknown[]) => {
            const result = await (target[prop] as (...a: unknown[]) => Promise<{ meta?: { rows_written?: number } }>).apply(target, args);
            add(result);
            return result;
          };
        const value = Reflect.get(target, prop, target);
        return typeof value === 'function' ? value.bind(target) : value;
      },
    });
    raw.set(proxy, stmt);
    return proxy;
  };
  const binding = {
    prepare: (sql: string) => wrap(d1.prepare(sql)),
    batch: async (stmts: D1PreparedStatement[]) => {
      const results = await d1.batch(stmts.map((s) => raw.get(s) ?? s));
      results.forEach(add);
      return results;
    },
    exec: (sql: string) => d1.exec(sql),
  } as unknown as D1Database;
  return { binding, counter };
}

let t: TestD1;
beforeAll(async () => {
  t = await createTestD1();
  for (let i = 0; i < READERS; i++) await addReader(t.db, `reader${i}@example.org`, { blog: true });
});
afterAll(async () => t?.dispose());

describe('rows written per email, fan-out to sent (D1 meta, indexes included)', () => {
  it('fan-out writes 6 per email and the drain (claim, tokens, history, outcome, statistics) about 19', async () => {
    const post = await addContent(t.db, { title: 'Costs', publishDate: new Date(NOW.getTime() - 3_600_000) });
    const { binding, counter } = countingWrites(t.d1);
    const db = createDb(binding);

    expect(await enqueueNotificationsForContent(db, post, { now: NOW })).toBe(READERS);
    const fanOut = counter.written / READERS;
    counter.written = 0;
    await t.d1.prepare('UPDATE content_items SET notification_sent = 1').run(); // queued; the drain only sends
    const transport = createLoopbackTransport();
    const summary = await processNotifications({ db, transport, clock: () => NOW, config: testConfig() }, { batchSize: READERS });
    expect(summary).toMatchObject({ sent: READERS, remaining: 0 });
    const drain = counter.written / READERS;

    // notification row + its id, fan-out-unique, queue and progress entries, and the claimable (pending) entry.
    expect(fanOut).toBe(6);
    // claim 3 + two link tokens 8 + the sent history row 6 + outcome 2, and once per batch the day's new statistics row (4).
    expect(drain).toBeCloseTo(19 + 4 / READERS, 5);
    expect(fanOut + drain).toBeLessThanOrEqual(53 / 2); // issue 19's goal: half of the 53 before it
  });
});
