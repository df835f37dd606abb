import { integer, primaryKey, sqliteTable, text } from 'drizzle-orm/sqlite-core';

/**
 * Fixed-window counters for the reader routes (subscribe, register, login), kept in D1
 * so every isolate sees the same counts. `bucket` names what is limited and for whom,
 * e.g. `subscribe:ip:203.0.113.9` or `login:email:<sha256>`.
 */
export const rateLimits = sqliteTable(
  'rate_limits',
  {
    bucket: text('bucket').notNull(),
    windowStart: integer('window_start', { mode: 'timestamp' }).notNull(),
    count: integer('count').notNull().default(0),
  },
  (t) => [primaryKey({ columns: [t.bucket, t.windowStart] })],
);

export type RateLimit = typeof rateLimits.$inferSelect;
