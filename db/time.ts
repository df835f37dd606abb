/** Whole Unix seconds; every timestamp column stores these (ARCHITECTURE.md, "Time"). */
export const toUnixSeconds = (date: Date): number => Math.floor(date.getTime() / 1000);
export const fromUnixSeconds = (seconds: number): Date => new Date(seconds * 1000);

const SECOND = 1;
const MINUTE = 60 * SECOND;
const HOUR = 60 * MINUTE;
export const DAY = 24 * HOUR;

/** `YYYY-MM-DD` of a moment in UTC: the key of `email_statistics`. */
export const utcDateKey = (date: Date): string => date.toISOString().slice(0, 10);
