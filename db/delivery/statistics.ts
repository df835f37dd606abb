import { and, eq, sql } from 'drizzle-orm';
import type { Db } from '../client';
import { newId } from '../crypto';
import { emailStatistics, STATISTIC_COUNTERS, type EmailStatistics, type StatisticCounter } from '../schema';

export type StatisticIncrements = Partial<Record<StatisticCounter, number>>;

const DATE_KEY = /^\d{4}-\d{2}-\d{2}$/;

function checkedIncrements(dateKey: string, contentType: string, increments: StatisticIncrements) {
  if (!DATE_KEY.test(dateKey)) throw new Error(`dateKey must be YYYY-MM-DD, got "${dateKey}"`);
  if (!contentType) throw new Error('contentType is required');
  const entries = Object.entries(increments).filter(([, v]) => v !== undefined) as [StatisticCounter, number][];
  for (const [key, value] of entries) {
    if (!STATISTIC_COUNTERS.includes(key)) throw new Error(`Unknown statistics counter: "${key}"`);
    if (!Number.isSafeInteger(value)) throw new Error(`Increment of ${key} must be an integer, got ${value}`);
  }
  return entries;
}

/**
 * The un-executed upsert: ONE atomic `INSERT … ON CONFLICT(date_key, content_type) DO UPDATE
 * SET total_x = total_x + excluded.total_x`, so concurrent runs never lose a count. Callers put
 * it in their own `db.batch([...])` beside the status writes it counts.
 */
export function statisticsUpsertQuery(db: Db, dateKey: string, contentType: string, increments: StatisticIncrements, now: Date = new Date()) {
  const entries = checkedIncrements(dateKey, contentType, increments);
  const added = Object.fromEntries(
    entries.map(([key]) => {
      const column = emailStatistics[key];
      return [key, sql`${column} + excluded.${sql.identifier(column.name)}`];
    }),
  );
  return db
    .insert(emailStatistics)
    .values({ id: newId(), dateKey, contentType, ...Object.fromEntries(entries), createdAt: now, updatedAt: now })
    .onConflictDoUpdate({
      target: [emailStatistics.dateKey, emailStatistics.contentType],
      set: { ...added, updatedAt: now },
    });
}

export async function updateEmailStatistics(
  db: Db,
  dateKey: string,
  contentType: string,
  increments: StatisticIncrements,
  now: Date = new Date(),
): Promise<void> {
  await statisticsUpsertQuery(db, dateKey, contentType, increments, now);
}

export async function getEmailStatistics(db: Db, dateKey: string, contentType: string): Promise<EmailStatistics | undefined> {
  return db.query.emailStatistics.findFirst({
    where: and(eq(emailStatistics.dateKey, dateKey), eq(emailStatistics.contentType, contentType)),
  });
}
