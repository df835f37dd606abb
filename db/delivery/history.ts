import type { BatchItem } from 'drizzle-orm/batch';
import type { Db } from '../client';
import { newId } from '../crypto';
import { chunkForParams, changedRows } from '../params';
import { emailNotificationHistory, HISTORY_ACTIONS, type HistoryAction } from '../schema';

export type CreateNotificationHistoryParams = {
  /**
   * The notification this event is about, or null for events that have none
   * (subscribed, preferences_updated, …). The original system writes a made-up id here, which would
   * break the foreign key; we store a real id or NULL.
   */
  notificationId?: string | null;
  userId: string;
  action: HistoryAction;
  details?: Record<string, unknown> | null;
  errorCode?: string | null;
  retryAttempt?: number | null;
  ipAddress?: string | null;
  userAgent?: string | null;
  timestamp?: Date;
};

/**
 * `queued` is read from the notification row itself (its created_at): the fan-out no longer writes a history row
 * that repeats it. Rows fanned out before migration 0025 still have a stored one, shown instead.
 */
export const QUEUED_NOT_STORED = `NOT EXISTS (SELECT 1 FROM email_notification_history q WHERE q.notification_id = n.id AND q.action = 'queued')`;

const HISTORY_COLUMNS = 10; // every row binds each column once: id … timestamp

function toRow(params: CreateNotificationHistoryParams, now: Date) {
  if (!HISTORY_ACTIONS.includes(params.action)) throw new Error(`Invalid history action: "${params.action}"`);
  return {
    id: newId(),
    notificationId: params.notificationId ?? null,
    userId: params.userId,
    action: params.action,
    details: params.details ?? null,
    errorCode: params.errorCode ?? null,
    retryAttempt: params.retryAttempt ?? null,
    ipAddress: params.ipAddress ?? null,
    userAgent: params.userAgent ?? null,
    timestamp: params.timestamp ?? now,
  };
}

/** Writes one audit row and returns its id. */
export async function createNotificationHistory(db: Db, params: CreateNotificationHistoryParams): Promise<string> {
  const row = toRow(params, new Date());
  await db.insert(emailNotificationHistory).values(row);
  return row.id;
}

/**
 * The un-executed multi-row INSERTs for many history rows (each under D1's 100-parameter
 * limit), to put in the caller's own `db.batch([...])` beside the writes they record.
 */
export function historyInsertRows(db: Db, rows: readonly CreateNotificationHistoryParams[], now = new Date()): BatchItem<'sqlite'>[] {
  const values = rows.map((r) => toRow(r, now));
  return chunkForParams(values, HISTORY_COLUMNS).map((chunk) => db.insert(emailNotificationHistory).values(chunk));
}

/** Writes many history rows in one batch (one transaction). Returns how many were written. */
export async function createNotificationHistoryBatch(db: Db, rows: readonly CreateNotificationHistoryParams[], now = new Date()): Promise<number> {
  const [first, ...rest] = historyInsertRows(db, rows, now);
  if (!first) return 0;
  const results = await db.batch([first, ...rest]);
  return results.reduce((sum, r) => sum + changedRows(r as { meta?: { changes?: number } }), 0);
}
