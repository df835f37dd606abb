const HOURS_PER_DAY = 24;
const DAYS_PER_WEEK = 7;
const MS_PER_DAY = 24 * 60 * 60 * 1000;

/** The one default of DIGEST_HOUR_UTC / DIGEST_WEEKDAY (integration/delivery/config.ts reads it from here). */
export const DEFAULT_DIGEST_SLOT = { hourUtc: 8, weeklyDay: 1 } as const; // 08:00 UTC, Monday

export type DigestSlotOptions = {
  /** Hour of the day (UTC, 0-23) at which digests go out. */
  hourUtc?: number;
  /** Day of the week of the weekly digest, 0 = Sunday … 6 = Saturday. */
  weeklyDay?: number;
};

/**
 * When the next digests go out: the next daily slot strictly after `now` at `hourUtc:00` UTC,
 * and the next slot strictly after `now` that falls on `weeklyDay` at that hour.
 */
export function nextDigestSlots(
  now: Date,
  { hourUtc = DEFAULT_DIGEST_SLOT.hourUtc, weeklyDay = DEFAULT_DIGEST_SLOT.weeklyDay }: DigestSlotOptions = {},
): { daily: Date; weekly: Date } {
  if (!Number.isInteger(hourUtc) || hourUtc < 0 || hourUtc >= HOURS_PER_DAY) throw new Error(`hourUtc must be 0..23, got ${hourUtc}`);
  if (!Number.isInteger(weeklyDay) || weeklyDay < 0 || weeklyDay >= DAYS_PER_WEEK) throw new Error(`weeklyDay must be 0..6, got ${weeklyDay}`);
  if (Number.isNaN(now.getTime())) throw new Error('nextDigestSlots: invalid date');

  const todaySlot = Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate(), hourUtc);
  const daily = todaySlot > now.getTime() ? todaySlot : todaySlot + MS_PER_DAY;
  const daysAhead = (weeklyDay - new Date(daily).getUTCDay() + DAYS_PER_WEEK) % DAYS_PER_WEEK;
  return { daily: new Date(daily), weekly: new Date(daily + daysAhead * MS_PER_DAY) };
}
