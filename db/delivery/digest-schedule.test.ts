import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { nextDigestSlots } from './digest-schedule';

const at = (iso: string) => new Date(iso);

describe('nextDigestSlots', () => {
  it('picks today at 08:00 UTC before it, tomorrow after it or exactly at it', () => {
    expect(nextDigestSlots(at('2026-03-04T07:59:59Z')).daily).toEqual(at('2026-03-04T08:00:00Z'));
    expect(nextDigestSlots(at('2026-03-04T08:00:00Z')).daily).toEqual(at('2026-03-05T08:00:00Z'));
    expect(nextDigestSlots(at('2026-03-04T23:30:00Z')).daily).toEqual(at('2026-03-05T08:00:00Z'));
  });

  it('picks the next Monday 08:00 UTC for the weekly digest', () => {
    expect(nextDigestSlots(at('2026-03-04T10:00:00Z')).weekly).toEqual(at('2026-03-09T08:00:00Z')); // Wed -> Mon
    expect(nextDigestSlots(at('2026-03-09T07:00:00Z')).weekly).toEqual(at('2026-03-09T08:00:00Z')); // Mon before 8
    expect(nextDigestSlots(at('2026-03-09T08:00:00Z')).weekly).toEqual(at('2026-03-16T08:00:00Z')); // Mon at 8
    expect(nextDigestSlots(at('2026-12-31T12:00:00Z')).weekly).toEqual(at('2027-01-04T08:00:00Z')); // across the year
  });

  it('honours hourUtc and weeklyDay', () => {
    const slots = nextDigestSlots(at('2026-03-04T10:00:00Z'), { hourUtc: 18, weeklyDay: 0 });
    expect(slots).toEqual({ daily: at('2026-03-04T18:00:00Z'), weekly: at('2026-03-08T18:00:00Z') });
  });

  it('always lands strictly after now, within a day / a week, at the hour, on the day', () => {
    fc.assert(
      fc.property(
        fc.date({ min: at('2000-01-01T00:00:00Z'), max: at('2100-01-01T00:00:00Z'), noInvalidDate: true }),
        fc.integer({ min: 0, max: 23 }),
        fc.integer({ min: 0, max: 6 }),
        (now, hourUtc, weeklyDay) => {
          const { daily, weekly } = nextDigestSlots(now, { hourUtc, weeklyDay });
          for (const slot of [daily, weekly]) {
            expect(slot.getTime()).toBeGreaterThan(now.getTime());
            expect([slot.getUTCHours(), slot.getUTCMinutes(), slot.getUTCSeconds(), slot.getUTCMilliseconds()]).toEqual([hourUtc, 0, 0, 0]);
          }
          expect(daily.getTime() - now.getTime()).toBeLessThanOrEqual(24 * 3600_000);
          expect(weekly.getTime() - now.getTime()).toBeLessThanOrEqual(7 * 24 * 3600_000);
          expect(weekly.getUTCDay()).toBe(weeklyDay);
        },
      ),
    );
  });

  it('rejects an out-of-range hour or day', () => {
    expect(() => nextDigestSlots(new Date(), { hourUtc: 24 })).toThrow(/hourUtc/);
    expect(() => nextDigestSlots(new Date(), { weeklyDay: 7 })).toThrow(/weeklyDay/);
  });
});
