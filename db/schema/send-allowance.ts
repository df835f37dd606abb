import { integer, sqliteTable, text } from 'drizzle-orm/sqlite-core';

/**
 * Pacing counters: how many emails a sender has reserved in the current minute and UTC day.
 * Every run (cron, API route, CLI, a future Queues consumer) reserves its allowance here with
 * one conditional upsert before it claims (db/delivery/send-allowance.ts), so concurrent runs can never
 * together exceed RATE_PER_MINUTE or DAILY_CAP. One row per sender (today: `default`).
 */
export const sendAllowance = sqliteTable('send_allowance', {
  sender: text('sender').primaryKey(),
  minuteStart: integer('minute_start', { mode: 'timestamp' }).notNull(),
  minuteUsed: integer('minute_used').notNull().default(0),
  dayStart: integer('day_start', { mode: 'timestamp' }).notNull(),
  dayUsed: integer('day_used').notNull().default(0),
  /** What the latest reservation granted (returned by the same statement). */
  lastGrant: integer('last_grant').notNull().default(0),
});

export type SendAllowance = typeof sendAllowance.$inferSelect;
