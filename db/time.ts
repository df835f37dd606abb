/** Whole Unix seconds; every timestamp column stores these (ARCHITECTURE.md, "Time"). */
export const toUnixSeconds = (date: Date): number => Math.floor(date.getTime() / 1000);
export const fromUnixSeconds = (seconds: number): Date => new Date(seconds * 1000);
/** Drizzle's `timestamp` mode drops milliseconds on write; truncate in memory too so values compare equal. */
export const truncateToSecond = (date: Date): Date => fromUnixSeconds(toUnixSeconds(date));

export const SECOND = 1;
export const MINUTE = 60 * SECOND;
export const HOUR = 60 * MINUTE;
export const DAY = 24 * HOUR;

/** `YYYY-MM-DD` of a moment in UTC: the key of `email_statistics`. */
export const utcDateKey = (date: Date): string => date.toISOString().slice(0, 10);
