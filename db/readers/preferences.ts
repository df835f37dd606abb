import { and, eq, inArray, sql } from 'drizzle-orm';
import type { Db } from '../client';
import { NO_PREFERENCES, PREFERENCE_FIELD, isContentType, type PreferenceFlags } from '../delivery/eligibility';
import { historyInsertRows, type CreateNotificationHistoryParams } from '../delivery/history';
import { changedRows } from '../params';
import { statisticsUpsertQuery } from '../delivery/statistics';
import { utcDateKey } from '../time';
import { EMAIL_FREQUENCIES, CONTENT_TYPES, emailNotifications, users, type ContentType, type EmailFrequency } from '../schema';

export type EmailPreferences = Partial<PreferenceFlags> & {
  emailFrequency?: EmailFrequency;
  unsubscribeAll?: boolean;
  /** Set by the mailbox owner's own save (signed in, or through an emailed preferences link). */
  emailVerified?: boolean;
};

/** Pending mail a reader no longer wants is cancelled in the same batch (its state becomes `cancelled`). */
const cancelPending = (db: Db, userId: string, contentTypes: readonly ContentType[]) =>
  db
    .update(emailNotifications)
    .set({ status: 'cancelled', errorMessage: 'reader unsubscribed' })
    .where(and(eq(emailNotifications.userId, userId), eq(emailNotifications.status, 'pending'), inArray(emailNotifications.contentType, [...contentTypes])));

/**
 * Changes only the preferences given. `unsubscribeAll: true` behaves like
 * unsubscribeUserFromAll without clearing the per-type choices; `unsubscribeAll: false`
 * resubscribes (an `unsubscribed` status returns to `active`; bounced/blocked stay).
 * Returns false when the user does not exist.
 */
export async function updateUserPreferences(db: Db, userId: string, prefs: EmailPreferences, now: Date = new Date()): Promise<boolean> {
  if (prefs.emailFrequency !== undefined && !EMAIL_FREQUENCIES.includes(prefs.emailFrequency)) {
    throw new Error(`Invalid email frequency: "${prefs.emailFrequency}"`);
  }
  const resubscribe = prefs.unsubscribeAll === false && {
    unsubscribeAll: false,
    unsubscribedAt: null,
    emailStatus: sql`case when ${users.emailStatus} = 'unsubscribed' then 'active' else ${users.emailStatus} end`,
  };
  const unsubscribe = prefs.unsubscribeAll === true && { unsubscribeAll: true, unsubscribedAt: now, emailStatus: 'unsubscribed' as const };
  const update = db
    .update(users)
    .set({
      ...Object.fromEntries(
        CONTENT_TYPES.map((t) => PREFERENCE_FIELD[t])
          .filter((f) => prefs[f] !== undefined)
          .map((f) => [f, prefs[f]]),
      ),
      ...(prefs.emailFrequency !== undefined && { emailFrequency: prefs.emailFrequency }),
      ...(prefs.emailVerified !== undefined && { emailVerified: prefs.emailVerified }),
      ...resubscribe,
      ...unsubscribe,
      updatedAt: now,
    })
    .where(eq(users.id, userId));
  const turnedOff = CONTENT_TYPES.filter((t) => prefs.unsubscribeAll === true || prefs[PREFERENCE_FIELD[t]] === false);
  if (turnedOff.length === 0) return changedRows(await update) > 0;
  const [updated] = await db.batch([update, cancelPending(db, userId, turnedOff)]);
  return changedRows(updated) > 0;
}

/**
 * Global unsubscribe: unsubscribe_all on, all three preferences off, status `unsubscribed`,
 * the moment recorded (CAN-SPAM), and pending mail cancelled, in one batch.
 */
export async function unsubscribeUserFromAll(db: Db, userId: string, now: Date = new Date()): Promise<boolean> {
  const [updated] = await db.batch([
    db
      .update(users)
      .set({
        unsubscribeAll: true,
        ...NO_PREFERENCES,
        emailStatus: 'unsubscribed',
        unsubscribedAt: now,
        updatedAt: now,
      })
      .where(eq(users.id, userId)),
    cancelPending(db, userId, CONTENT_TYPES),
  ]);
  return changedRows(updated) > 0;
}

/** A one-click link from a content email: turns off that type only and cancels its pending mail. */
export async function unsubscribeFromContentType(db: Db, userId: string, contentType: ContentType, now: Date = new Date()): Promise<boolean> {
  if (!isContentType(contentType)) throw new Error(`Invalid content type: "${contentType}"`);
  return updateUserPreferences(db, userId, { [PREFERENCE_FIELD[contentType]]: false }, now);
}

/**
 * What an unsubscribe link leaves behind once it won the token: the reader's history row and
 * the day's unsubscribe count for its scope, in one batch.
 */
export async function recordUnsubscribe(db: Db, history: CreateNotificationHistoryParams, scope: ContentType | 'all', now: Date): Promise<void> {
  const [row] = historyInsertRows(db, [history]);
  await db.batch([row!, statisticsUpsertQuery(db, utcDateKey(now), scope, { totalUnsubscribed: 1 }, now)]);
}

/**
 * A reader whose last content type was just turned off gets nothing: they are unsubscribed from
 * everything (status `unsubscribed`, the moment recorded), so the console counts them as what they
 * are. One conditional UPDATE; a reader with any type left, or already unsubscribed, is untouched.
 * A bounced or blocked status stays as it is.
 */
export async function unsubscribeIfNothingLeft(db: Db, userId: string, now: Date = new Date()): Promise<boolean> {
  const updated = await db
    .update(users)
    .set({
      unsubscribeAll: true,
      unsubscribedAt: now,
      emailStatus: sql`case when ${users.emailStatus} = 'active' then 'unsubscribed' else ${users.emailStatus} end`,
      updatedAt: now,
    })
    .where(and(eq(users.id, userId), eq(users.unsubscribeAll, false), ...CONTENT_TYPES.map((t) => eq(users[PREFERENCE_FIELD[t]], false))));
  return changedRows(updated) > 0;
}
