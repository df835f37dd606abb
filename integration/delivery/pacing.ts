/**
 * Pacing: a fixed per-minute window and a UTC-day cap, both counted in emails (a digest
 * is one email however many rows it covers). What does not fit waits for the next window.
 */
type PacingLimits = { ratePerMinute: number; dailyCap: number }; // 0 = unlimited
type SentCounts = { thisMinute: number; today: number };
type Allowance = { emails: number; nextWindowAt?: Date };

const MS_PER_MINUTE = 60_000;
const MS_PER_DAY = 86_400_000;

export const minuteStart = (now: Date): Date => new Date(Math.floor(now.getTime() / MS_PER_MINUTE) * MS_PER_MINUTE);
export const utcDayStart = (now: Date): Date => new Date(Math.floor(now.getTime() / MS_PER_DAY) * MS_PER_DAY);

export const isUnlimited = (limits: PacingLimits): boolean => limits.ratePerMinute <= 0 && limits.dailyCap <= 0;

/**
 * How many emails may go now, and, when none may, the moment the binding window reopens:
 * the next UTC midnight when the day's cap is spent, else the next minute.
 */
export function allowance(limits: PacingLimits, counts: SentCounts, now: Date): Allowance {
  const perMinute = limits.ratePerMinute > 0 ? Math.max(0, limits.ratePerMinute - counts.thisMinute) : Infinity;
  const perDay = limits.dailyCap > 0 ? Math.max(0, limits.dailyCap - counts.today) : Infinity;
  const emails = Math.min(perMinute, perDay);
  if (emails > 0) return { emails };
  if (perDay === 0) return { emails: 0, nextWindowAt: new Date(utcDayStart(now).getTime() + MS_PER_DAY) };
  return { emails: 0, nextWindowAt: new Date(minuteStart(now).getTime() + MS_PER_MINUTE) };
}
