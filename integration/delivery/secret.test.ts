import { describe, expect, it } from 'vitest';
import { constantTimeEqual } from '../../db/crypto';
import { bearerMatches } from './secret';

describe('bearerMatches', () => {
  it('accepts exactly "Bearer <secret>"', async () => {
    expect(await bearerMatches('Bearer s3cret-value', 's3cret-value')).toBe(true);
    expect(await bearerMatches('bearer s3cret-value', 's3cret-value')).toBe(true);
    expect(await bearerMatches('Bearer s3cret-valuE', 's3cret-value')).toBe(false);
    expect(await bearerMatches('Bearer s3cret', 's3cret-value')).toBe(false);
    expect(await bearerMatches('s3cret-value', 's3cret-value')).toBe(false);
    expect(await bearerMatches('Basic s3cret-value', 's3cret-value')).toBe(false);
    expect(await bearerMatches(null, 's3cret-value')).toBe(false);
    expect(await bearerMatches('Bearer ', '')).toBe(false);
  });
  it('compares bytes without an early exit', () => {
    expect(constantTimeEqual(new Uint8Array([1, 2, 3]), new Uint8Array([1, 2, 3]))).toBe(true);
    expect(constantTimeEqual(new Uint8Array([1, 2, 3]), new Uint8Array([1, 2, 4]))).toBe(false);
    expect(constantTimeEqual(new Uint8Array([1, 2]), new Uint8Array([1, 2, 3]))).toBe(false);
    // Count the byte reads: a difference in the first byte must cost as many as none at all.
    const reads = (x: Uint8Array, y: Uint8Array) => {
      let count = 0;
      const counted = (bytes: Uint8Array) =>
        new Proxy(bytes, {
          get(target, key) {
            if (typeof key === 'string' && /^\d+$/.test(key)) count += 1;
            return Reflect.get(target, key);
          },
        });
      constantTimeEqual(counted(x), counted(y));
      return count;
    };
    const secret = new Uint8Array(32).fill(7);
    const firstDiffers = secret.slice();
    firstDiffers[0] = 8;
    expect(reads(secret, secret.slice())).toBe(64);
    expect(reads(secret, firstDiffers)).toBe(64);
  });
});
