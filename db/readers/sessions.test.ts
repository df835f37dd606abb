import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestD1, type TestD1 } from '../../test/helpers/d1';
import { sha256Hex, randomToken } from '../crypto';
import { cleanupExpiredSessions, createSession, deleteSession, deleteUserSessions, extendSession, validateSession } from './sessions';
import { createUser } from './users';

const HOUR_MS = 60 * 60 * 1000;
let t: TestD1;
let userId: string;
beforeAll(async () => {
  t = await createTestD1();
  userId = (await createUser(t.db, { email: 'sessions@example.com' })).id;
});
afterAll(async () => t?.dispose());

describe('sessions', () => {
  it('validates a live session by its token hash and returns its user', async () => {
    const tokenHash = await sha256Hex(randomToken());
    const created = await createSession(t.db, userId, { tokenHash, expiresAt: new Date(Date.now() + HOUR_MS) });
    expect(created.id).toBe(tokenHash);
    const found = await validateSession(t.db, tokenHash);
    expect(found?.session.id).toBe(tokenHash);
    expect(found?.user).toMatchObject({ id: userId, email: 'sessions@example.com' });
    expect(await validateSession(t.db, 'unknown')).toBeNull();
  });

  it('refuses an expired session, and one at its exact expiry second', async () => {
    const expiresAt = new Date('2030-01-01T00:00:00Z');
    await createSession(t.db, userId, { tokenHash: 'expiring', expiresAt });
    expect(await validateSession(t.db, 'expiring', new Date(expiresAt.getTime() - 1000))).not.toBeNull();
    expect(await validateSession(t.db, 'expiring', expiresAt)).toBeNull();
    expect(await validateSession(t.db, 'expiring', new Date(expiresAt.getTime() + 1000))).toBeNull();
  });

  it('extends and deletes sessions', async () => {
    await createSession(t.db, userId, { tokenHash: 'short', expiresAt: new Date(Date.now() - 1000) });
    expect(await validateSession(t.db, 'short')).toBeNull();
    expect(await extendSession(t.db, 'short', new Date(Date.now() + HOUR_MS))).toBe(true);
    expect(await validateSession(t.db, 'short')).not.toBeNull();
    expect(await deleteSession(t.db, 'short')).toBe(true);
    expect(await validateSession(t.db, 'short')).toBeNull();
    expect(await deleteSession(t.db, 'short')).toBe(false);
    expect(await extendSession(t.db, 'short', new Date())).toBe(false);
  });

  it('signs a user out everywhere', async () => {
    const other = await createUser(t.db, { email: 'everywhere@example.com' });
    for (const tokenHash of ['a1', 'a2', 'a3']) {
      await createSession(t.db, other.id, { tokenHash, expiresAt: new Date(Date.now() + HOUR_MS) });
    }
    expect(await deleteUserSessions(t.db, other.id)).toBe(3);
    expect(await validateSession(t.db, 'a1')).toBeNull();
  });

  it('cleanupExpiredSessions deletes only expired sessions (seconds compared with seconds)', async () => {
    const now = new Date('2031-01-01T00:00:00Z');
    await createSession(t.db, userId, { tokenHash: 'old', expiresAt: new Date(now.getTime() - HOUR_MS) });
    await createSession(t.db, userId, { tokenHash: 'live', expiresAt: new Date(now.getTime() + HOUR_MS) });
    const expiredBefore = (await t.d1
      .prepare('SELECT count(*) AS n FROM sessions WHERE expires_at <= ?')
      .bind(now.getTime() / 1000)
      .first<{ n: number }>())!.n;
    // The original system's version binds Date.now() in milliseconds and would also delete 'live'.
    expect(await cleanupExpiredSessions(t.db, now)).toBe(expiredBefore);
    expect(await validateSession(t.db, 'live', now)).not.toBeNull();
    const left = await t.d1.prepare('SELECT id FROM sessions WHERE id IN (?, ?)').bind('old', 'live').all<{ id: string }>();
    expect(left.results.map((r) => r.id)).toEqual(['live']);
  });
});
