import { index, integer, sqliteTable, text, uniqueIndex } from 'drizzle-orm/sqlite-core';
import { createdAt, updatedAt } from './columns';

const counter = (name: string) => integer(name).notNull().default(0);

export const emailStatistics = sqliteTable(
  'email_statistics',
  {
    id: text('id').primaryKey(),
    /** UTC day, `YYYY-MM-DD`. */
    dateKey: text('date_key').notNull(),
    contentType: text('content_type').notNull(),
    totalSent: counter('total_sent'),
    totalDelivered: counter('total_delivered'),
    totalBounced: counter('total_bounced'),
    totalFailed: counter('total_failed'),
    totalOpened: counter('total_opened'),
    totalClicked: counter('total_clicked'),
    totalUnsubscribed: counter('total_unsubscribed'),
    totalComplained: counter('total_complained'),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [uniqueIndex('idx_email_statistics_date_type').on(t.dateKey, t.contentType), index('idx_email_statistics_date').on(t.dateKey)],
);

export type EmailStatistics = typeof emailStatistics.$inferSelect;
export const STATISTIC_COUNTERS = [
  'totalSent',
  'totalDelivered',
  'totalBounced',
  'totalFailed',
  'totalOpened',
  'totalClicked',
  'totalUnsubscribed',
  'totalComplained',
] as const;
export type StatisticCounter = (typeof STATISTIC_COUNTERS)[number];
