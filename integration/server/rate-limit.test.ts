import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { rateLimits } from '../../db/schema';
import { createTestD1, type TestD1 } from '../../test/helpers/d1';
import { cleanupRateLimits, hitRateLimit, hitRateLimits, LONGEST_WINDOW_SECONDS } from './rate-limit';

let t: TestD1;
beforeAll(async () => {
  t = await createTestD1();
});
afterAll(async () => {
  await t?.dispose();
});

const rule = { name: 'test', limit: 3, windowSeconds: 60 };

describe('fixed-window rate limits in D1', () => {
  it('allows `limit` hits per window, then refuses with the seconds left in the window', async () => {
    const now = new Date('2030-01-01T00:00:10Z');
    const results = [];
    for (let i = 0; i < 4; i++) results.push(await hitRateLimit(t.db, rule, 'alice', now));
    expect(results.map((r) => r.allowed)).toEqual([true, true, true, false]);
    expect(results.map((r) => r.count)).toEqual([1, 2, 3, 4]);
    expect(results[3]!.retryAfterSeconds).toBe(50);
    // Another key has its own count; the next window starts again.
    expect((await hitRateLimit(t.db, rule, 'bob', now)).allowed).toBe(true);
    expect((await hitRateLimit(t.db, rule, 'alice', new Date('2030-01-01T00:01:00Z'))).count).toBe(1);
  });

  it('counts every rule and reports the first refusal', async () => {
    const now = new Date('2030-02-01T00:00:00Z');
    const tight = { name: 'tight', limit: 1, windowSeconds: 600 };
    expect(
      (
        await hitRateLimits(
          t.db,
          [
            [rule, 'k'],
            [tight, 'k'],
          ],
          now,
        )
      ).allowed,
    ).toBe(true);
    const second = await hitRateLimits(
      t.db,
      [
        [rule, 'k'],
        [tight, 'k'],
      ],
      now,
    );
    expect(second).toMatchObject({ allowed: false, count: 2, retryAfterSeconds: 600 });
  });

  it('stores hashed keys, never the address, and is exact under concurrency', async () => {
    const now = new Date('2030-03-01T00:00:00Z');
    await Promise.all(Array.from({ length: 10 }, () => hitRateLimit(t.db, { ...rule, name: 'burst' }, 'someone@example.com', now)));
    const rows = (await t.db.select().from(rateLimits)).filter((r) => r.bucket.startsWith('burst:'));
    expect(rows).toHaveLength(1);
    expect(rows[0]!.count).toBe(10);
    expect(rows[0]!.bucket).not.toContain('someone');
  });

  it('cleans up finished windows only', async () => {
    const now = new Date('2030-04-01T12:00:00Z');
    await hitRateLimit(t.db, { ...rule, name: 'old' }, 'x', new Date(now.getTime() - (LONGEST_WINDOW_SECONDS + 120) * 1000));
    await hitRateLimit(t.db, { ...rule, name: 'fresh' }, 'x', now);
    await cleanupRateLimits(t.db, now);
    const buckets = (await t.db.select().from(rateLimits)).map((r) => r.bucket.split(':')[0]);
    expect(buckets).toContain('fresh');
    expect(buckets).not.toContain('old');
  });
});
