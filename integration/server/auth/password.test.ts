import { describe, expect, it } from 'vitest';
import { constantTimeEqual } from '../../../db/crypto';
import { hashPassword, parsePasswordHash, PBKDF2_ITERATIONS, PBKDF2_MAX_ITERATIONS, verifyDummyPassword, verifyPassword } from './password';

describe('password hashing', () => {
  it('never uses more PBKDF2 iterations than workerd allows in production (100,000)', async () => {
    expect(PBKDF2_MAX_ITERATIONS).toBe(100_000);
    expect(PBKDF2_ITERATIONS).toBeLessThanOrEqual(100_000);
    const stored = await hashPassword('correct horse battery staple');
    const parsed = parsePasswordHash(stored);
    expect(parsed?.iterations).toBe(PBKDF2_ITERATIONS);
    expect(parsed!.iterations).toBeLessThanOrEqual(100_000);
    await expect(hashPassword('x', 100_001)).rejects.toThrow(/cap/);
  });

  it('stores scheme, iterations, a 16-byte random salt and a 32-byte hash', async () => {
    const a = await hashPassword('same password');
    const b = await hashPassword('same password');
    expect(a).toMatch(/^pbkdf2-sha256\$100000\$[A-Za-z0-9+/=]+\$[A-Za-z0-9+/=]+$/);
    expect(parsePasswordHash(a)!.salt).toHaveLength(16);
    expect(parsePasswordHash(a)!.hash).toHaveLength(32);
    expect(a).not.toBe(b); // different salts
  });

  it('verifies the right password and refuses a wrong one', async () => {
    const stored = await hashPassword('hunter2hunter2');
    expect(await verifyPassword('hunter2hunter2', stored)).toBe(true);
    expect(await verifyPassword('hunter2hunter3', stored)).toBe(false);
    expect(await verifyPassword('', stored)).toBe(false);
  });

  it('keeps working for hashes made with a lower cost (parameters travel with the hash)', async () => {
    const stored = await hashPassword('old password', 1000);
    expect(stored.split('$')[1]).toBe('1000');
    expect(await verifyPassword('old password', stored)).toBe(true);
  });

  it('refuses malformed or over-cap stored hashes instead of throwing', async () => {
    for (const bad of ['', 'plain', 'pbkdf2-sha256$abc$x$y', 'bcrypt$10$x$y', 'pbkdf2-sha256$200000$AAAA$AAAA', 'pbkdf2-sha256$1000$%%%$AAAA']) {
      expect(parsePasswordHash(bad)).toBeNull();
      expect(await verifyPassword('x', bad)).toBe(false);
    }
  });

  it('does the work of a real check for unknown accounts and always says no', async () => {
    expect(await verifyDummyPassword('anything')).toBe(false);
  });

  it('compares byte arrays without an early exit', () => {
    expect(constantTimeEqual(new Uint8Array([1, 2, 3]), new Uint8Array([1, 2, 3]))).toBe(true);
    expect(constantTimeEqual(new Uint8Array([1, 2, 3]), new Uint8Array([1, 2, 4]))).toBe(false);
    expect(constantTimeEqual(new Uint8Array([1, 2]), new Uint8Array([1, 2, 3]))).toBe(false);
  });
});
