import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestD1, type TestD1 } from '../../test/helpers/d1';
import { sha256Hex } from '../crypto';
import { DAY } from '../time';
import {
  createUnsubscribeToken,
  createUnsubscribeTokens,
  findUnsubscribeToken,
  UNSUBSCRIBE_TOKEN_TTL_SECONDS,
  useUnsubscribeToken,
  validateUnsubscribeToken,
} from './unsubscribe-tokens';
import { createUser } from './users';

let t: TestD1;
let userId: string;
beforeAll(async () => {
  t = await createTestD1();
  userId = (await createUser(t.db, { email: 'tokens@example.com' })).id;
});
afterAll(async () => t?.dispose());

describe('unsubscribe tokens', () => {
  it('stores only the SHA-256 of the token and lives 60 days by default', async () => {
    const now = new Date('2026-02-01T00:00:00Z');
    const issued = await createUnsubscribeToken(t.db, { userId, tokenType: 'one_click', contentType: 'blog', now });
    expect(issued.token.length).toBeGreaterThanOrEqual(22); // >= 128 bits in base64url
    const raw = await t.d1
      .prepare('SELECT token, expires_at FROM unsubscribe_tokens WHERE id = ?')
      .bind(issued.id)
      .first<{ token: string; expires_at: number }>();
    expect(raw!.token).toBe(await sha256Hex(issued.token));
    expect(raw!.token).not.toContain(issued.token);
    expect(UNSUBSCRIBE_TOKEN_TTL_SECONDS).toBeGreaterThanOrEqual(30 * DAY); // CAN-SPAM
    expect(raw!.expires_at).toBe(now.getTime() / 1000 + UNSUBSCRIBE_TOKEN_TTL_SECONDS);
    expect(issued.expiresAt.getTime()).toBe(raw!.expires_at * 1000);
  });

  it('validates a fresh token, refuses an unknown or expired one', async () => {
    const now = new Date('2026-02-01T00:00:00Z');
    const issued = await createUnsubscribeToken(t.db, { userId, tokenType: 'complete', ttlSeconds: 3600, now });
    expect(await validateUnsubscribeToken(t.db, issued.token, now)).toMatchObject({ id: issued.id, userId, tokenType: 'complete', contentType: null });
    expect(await validateUnsubscribeToken(t.db, issued.token, new Date(now.getTime() + 3600_000))).toBeNull();
    expect(await validateUnsubscribeToken(t.db, 'not-a-token', now)).toBeNull();
    expect(await validateUnsubscribeToken(t.db, '', now)).toBeNull();
    // An expired token cannot be spent either.
    expect(await useUnsubscribeToken(t.db, issued.id, { now: new Date(now.getTime() + 7200_000) })).toBe(false);
  });

  it('is single use, and findUnsubscribeToken still shows a used token', async () => {
    const issued = await createUnsubscribeToken(t.db, { userId, tokenType: 'one_click' });
    expect(await useUnsubscribeToken(t.db, issued.id, { ipAddress: '203.0.113.9', userAgent: 'Mail/1.0' })).toBe(true);
    expect(await useUnsubscribeToken(t.db, issued.id)).toBe(false);
    expect(await validateUnsubscribeToken(t.db, issued.token)).toBeNull();
    const row = await findUnsubscribeToken(t.db, issued.token);
    expect(row).toMatchObject({ id: issued.id, ipAddress: '203.0.113.9', userAgent: 'Mail/1.0' });
    expect(row!.usedAt).toBeInstanceOf(Date);
    expect(await findUnsubscribeToken(t.db, 'unknown')).toBeNull();
  });

  it('two concurrent uses of one token: exactly one succeeds', async () => {
    for (let round = 0; round < 5; round++) {
      const issued = await createUnsubscribeToken(t.db, { userId, tokenType: 'one_click' });
      const outcomes = await Promise.all([useUnsubscribeToken(t.db, issued.id), useUnsubscribeToken(t.db, issued.id)]);
      expect(outcomes.filter(Boolean)).toHaveLength(1);
    }
  });

  it('creates tokens for a batch of emails in order, across several statements', async () => {
    const other = await createUser(t.db, { email: 'tokens2@example.com' });
    const rows = Array.from({ length: 37 }, (_, i) => ({
      userId: i % 2 ? other.id : userId,
      tokenType: 'one_click' as const,
      contentType: i % 3 === 0 ? ('thought' as const) : null,
    }));
    const issued = await createUnsubscribeTokens(t.db, rows);
    expect(issued).toHaveLength(37);
    expect(new Set(issued.map((i) => i.token)).size).toBe(37);
    for (const [i, token] of issued.entries()) {
      const row = await validateUnsubscribeToken(t.db, token.token);
      expect(row).toMatchObject({ id: token.id, userId: rows[i]!.userId, contentType: rows[i]!.contentType });
    }
    expect(await createUnsubscribeTokens(t.db, [])).toEqual([]);
  });

  it('refuses bad input with a clear error and writes nothing', async () => {
    const table = () =>
      t.d1
        .prepare('SELECT * FROM unsubscribe_tokens ORDER BY id')
        .all()
        .then((r) => r.results);
    await createUnsubscribeToken(t.db, { userId, tokenType: 'one_click' }); // so "unchanged" is not just "empty"
    const before = await table();
    expect(before.length).toBeGreaterThan(0);
    await expect(createUnsubscribeToken(t.db, { userId, tokenType: 'forever' as never })).rejects.toThrow(/Invalid unsubscribe token type/);
    await expect(createUnsubscribeToken(t.db, { userId, tokenType: 'one_click', ttlSeconds: 0 })).rejects.toThrow(/ttlSeconds/);
    await expect(
      createUnsubscribeTokens(t.db, [
        { userId, tokenType: 'one_click' },
        { userId, tokenType: 'one_click', contentType: 'podcast' as never },
      ]),
    ).rejects.toThrow(/Invalid content type/);
    // The batch's valid first row must not land either.
    expect(await table()).toEqual(before);
  });
});
