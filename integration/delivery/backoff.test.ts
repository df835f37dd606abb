import { describe, expect, it } from 'vitest';
import { BACKOFF_CAP_SECONDS, retryDelaySeconds } from './backoff';

describe('retryDelaySeconds', () => {
  it('grows as 60 s × 2^(attempt-1) with full jitter, capped at 6 h', () => {
    const top = () => 0.999999;
    expect([1, 2, 3, 4, 5].map((a) => retryDelaySeconds(a, top))).toEqual([59, 119, 239, 479, 959]);
    expect(retryDelaySeconds(30, top)).toBe(BACKOFF_CAP_SECONDS - 1);
    expect(retryDelaySeconds(3, () => 0.5)).toBe(120);
  });
  it('never goes below Retry-After, nor below one second', () => {
    expect(retryDelaySeconds(1, () => 0, 300)).toBe(300);
    expect(retryDelaySeconds(1, () => 0.9, 2.2)).toBe(54);
    expect(retryDelaySeconds(1, () => 0)).toBe(1);
  });
  it('refuses a nonsense attempt number', () => {
    expect(() => retryDelaySeconds(0, Math.random)).toThrow();
  });
});
