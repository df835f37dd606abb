/**
 * Defect 7: subscribe does the same work for every address (unknown, known, confirmed,
 * unsubscribed, blocked), so its timing says nothing. Tested structurally: the same SQL
 * statements in the same order, the same mail-path call. (A wall-clock ratio flaked under load
 * and proved nothing the structure does not.)
 */
import { drizzle } from 'drizzle-orm/d1';
import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as schema from '../db/schema';
import { createUser, getUserByEmail } from '../db/readers/users';
import { processNotifications } from '../integration/delivery/processor';
import { createFaultInjectionTransport } from './helpers/fault-injection';
import { queueVerificationEmail } from '../integration/delivery/verification';
import { subscribe } from '../integration/server/reader/subscribe';
import { createTestD1, type TestD1 } from './helpers/d1';
import { testConfig } from './helpers/delivery';
import { fakeDeps } from './helpers/reader';

let t: TestD1;
beforeAll(async () => {
  t = await createTestD1();
});
afterAll(async () => t?.dispose());

/** The D1 binding with every prepared SQL text recorded (what the database is asked to do). */
function recordingDb(d1: D1Database) {
  const statements: string[] = [];
  const proxy = new Proxy(d1, {
    get(target, prop) {
      const value = Reflect.get(target, prop, target);
      if (prop === 'prepare') return (query: string) => (statements.push(query), target.prepare(query));
      return typeof value === 'function' ? value.bind(target) : value;
    },
  });
  return { db: drizzle(proxy, { schema }), statements };
}

let seq = 0;
async function readerIn(state: 'unknown' | 'unverified' | 'confirmed' | 'unsubscribed' | 'blocked'): Promise<string> {
  const email = `${state}-${++seq}@example.com`;
  if (state === 'unknown') return email;
  const user = await createUser(t.db, { email, emailVerified: state !== 'unverified', emailBlogUpdates: true });
  if (state === 'blocked') await t.db.update(schema.users).set({ emailStatus: 'blocked' }).where(eq(schema.users.id, user.id));
  if (state === 'unsubscribed') await t.db.update(schema.users).set({ unsubscribeAll: true }).where(eq(schema.users.id, user.id));
  return email;
}

const STATES = ['unknown', 'unverified', 'confirmed', 'unsubscribed', 'blocked'] as const;
const meta = () => ({ ipAddress: `198.51.100.${seq % 250}`, userAgent: 'vitest' });

describe('subscribe does the same work for every address', () => {
  it('runs the same SQL statements, in the same order, and the same mail-path call for each path', async () => {
    const traces: Record<string, { statements: string[]; mailCalls: number }> = {};
    for (const state of STATES) {
      const email = await readerIn(state);
      const { db, statements } = recordingDb(t.d1);
      const deps = fakeDeps();
      expect(await subscribe(db, { email, contentTypes: ['blog'], frequency: 'daily' }, deps, meta(), 'api')).toEqual({ ok: true });
      traces[state] = { statements, mailCalls: deps.sent.length };
    }
    for (const state of STATES) {
      expect(traces[state]!.mailCalls, state).toBe(1);
      expect(traces[state]!.statements, state).toEqual(traces.unknown!.statements);
    }
    expect(traces.unknown!.statements.length).toBeGreaterThanOrEqual(5);
  });

  it('a blocked reader still gets no email: the queued verification is cancelled at send time', async () => {
    const email = await readerIn('blocked');
    const deps = fakeDeps();
    await subscribe(t.db, { email, contentTypes: ['blog'], frequency: 'daily' }, deps, meta(), 'api');
    const transport = createFaultInjectionTransport();
    const ids = [await queueVerificationEmail(t.db, deps.sent[0]!)];
    const run = await processNotifications({ db: t.db, transport, clock: () => new Date(), config: testConfig() }, { onlyNotificationIds: ids });
    expect(run).toMatchObject({ sent: 0, cancelled: 1 });
    expect(transport.sent).toHaveLength(0);
    expect((await getUserByEmail(t.db, email))!.emailStatus).toBe('blocked');
  });
});
