import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { createSession } from '../../db/readers/sessions';
import { createUnsubscribeToken } from '../../db/readers/unsubscribe-tokens';
import { createUser } from '../../db/readers/users';
import { providerEvents, rateLimits, sessions, unsubscribeTokens } from '../../db/schema';
import { createTestD1, ROOT, type TestD1 } from '../../test/helpers/d1';
import { HOUSEKEEPING_CRON, runHousekeeping } from './housekeeping';

let t: TestD1;
beforeAll(async () => {
  t = await createTestD1();
});
afterAll(async () => t?.dispose());

const DAY_MS = 24 * 60 * 60 * 1000;

it('deletes expired sessions, expired tokens and stale rate-limit windows, and keeps live ones', async () => {
  const now = new Date('2026-11-25T03:17:00Z');
  const user = await createUser(t.db, { email: 'keep@example.com' });
  await createSession(t.db, user.id, { tokenHash: 'expired', expiresAt: new Date(now.getTime() - 1000) });
  await createSession(t.db, user.id, { tokenHash: 'live', expiresAt: new Date(now.getTime() + DAY_MS) });
  await createUnsubscribeToken(t.db, { userId: user.id, tokenType: 'one_click', ttlSeconds: 60, now: new Date(now.getTime() - DAY_MS) });
  const live = await createUnsubscribeToken(t.db, { userId: user.id, tokenType: 'one_click', now });
  await t.db.insert(rateLimits).values([
    { bucket: 'login:ip:old', windowStart: new Date(now.getTime() - 2 * DAY_MS), count: 3 },
    { bucket: 'login:ip:now', windowStart: now, count: 1 },
  ]);
  const old = new Date(now.getTime() - 31 * DAY_MS);
  await t.db.insert(providerEvents).values([
    { provider: 'ses', eventId: 'old-delivery', kind: 'delivered', claim: 'c', createdAt: old },
    { provider: 'ses', eventId: 'old-complaint', kind: 'complaint', claim: 'c', createdAt: old },
    { provider: 'ses', eventId: 'recent-bounce', kind: 'hard_bounce', claim: 'c', createdAt: now },
  ]);

  expect(await runHousekeeping(t.db, now)).toEqual({ sessions: 1, tokens: 1, accountTokens: 0, rateLimits: 1, providerEvents: 1, consentTokens: 0 });
  expect((await t.db.select().from(providerEvents)).map((e) => e.eventId).sort()).toEqual(['old-complaint', 'recent-bounce']);
  expect((await t.db.select().from(sessions)).map((s) => s.id)).toEqual(['live']);
  expect((await t.db.select().from(unsubscribeTokens)).map((r) => r.id)).toEqual([live.id]);
  expect((await t.db.select().from(rateLimits)).map((r) => r.bucket)).toEqual(['login:ip:now']);
});

it('has its cron registered in wrangler.jsonc, so the worker can tell the two triggers apart', () => {
  expect(readFileSync(join(ROOT, 'wrangler.jsonc'), 'utf8')).toContain(`"${HOUSEKEEPING_CRON}"`);
});
