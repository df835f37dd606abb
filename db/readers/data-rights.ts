/**
 * The reader's data rights: export (GDPR Art. 15/20) and erasure (Art. 17).
 * Export never carries password, token or session hashes. Erasure deletes the user row, and
 * with it everything keyed to it (ON DELETE CASCADE: sessions, profile, tokens, notifications,
 * history and its archive, consents); it keeps only the suppression hash of a reader who had
 * unsubscribed or complained, so a later import or subscribe can never mail them by mistake.
 */
import { count, eq } from 'drizzle-orm';
import { d1Of, type Db } from '../client';
import { consentsOf, type ConsentView } from './consent';
import { ADMIN_AUDIT_INSERT, type AdminAction } from '../admin/audit';
import { QUEUED_NOT_STORED } from '../delivery/history';
import { d1Runner, stmt, type SqlRunner } from '../sql-runner';
import { emailNotificationHistory, emailNotificationHistoryArchive, sessions, userProfiles, type User } from '../schema';
import { addressBucketParam, ADDRESS_BUCKETS_DELETE } from './rate-limits';
import { addressHash } from '../feedback/suppressions';
import { toUnixSeconds } from '../time';

const iso = (d: Date | null | undefined): string | null => (d ? d.toISOString() : null);

export type ReaderExport = {
  exportedAt: string;
  account: Record<string, unknown>;
  profile: Record<string, unknown> | null;
  preferences: { contentTypes: string[]; frequency: string; unsubscribeAll: boolean };
  consents: ConsentView[];
  history: { at: string; action: string; details: unknown; ipAddress: string | null; userAgent: string | null; archived: boolean }[];
  sessionCount: number;
};

// A notification's `queued` event is its own created_at (no history row repeats it since migration 0025).
const QUEUED_EVENTS = `SELECT n.created_at AS at, n.notification_type AS type FROM email_notifications n WHERE n.user_id = ?1 AND ${QUEUED_NOT_STORED}`;
// The last email sent is the newest sent_at of the reader's notifications (delivery no longer copies it to users).
const LAST_SENT = `SELECT max(sent_at) AS at FROM email_notifications WHERE user_id = ?1 AND status = 'sent'`;

/** Everything stored about one reader, as plain JSON. */
export async function exportReaderData(db: Db, user: User, now = new Date()): Promise<ReaderExport> {
  const [profile, consents, live, archived, sessionRows, queuedRows, lastSent] = await Promise.all([
    db.select().from(userProfiles).where(eq(userProfiles.userId, user.id)).get(),
    consentsOf(db, user.id),
    db.select().from(emailNotificationHistory).where(eq(emailNotificationHistory.userId, user.id)),
    db.select().from(emailNotificationHistoryArchive).where(eq(emailNotificationHistoryArchive.userId, user.id)),
    db.select({ n: count() }).from(sessions).where(eq(sessions.userId, user.id)),
    d1Of(db).prepare(QUEUED_EVENTS).bind(user.id).all<{ at: number; type: string }>(),
    d1Of(db).prepare(LAST_SENT).bind(user.id).first<{ at: number | null }>(),
  ]);
  // users.last_email_sent_at holds what delivery wrote before migration 0026; the notifications what it sent since.
  const lastEmailSentAt = Math.max(user.lastEmailSentAt?.getTime() ?? 0, (lastSent?.at ?? 0) * 1000);
  const queued = queuedRows.results.map((q) => ({
    at: new Date(q.at * 1000).toISOString(),
    action: 'queued' as const,
    details: { notificationType: q.type },
    ipAddress: null,
    userAgent: null,
    archived: false,
  }));
  const history = [...live.map((h) => ({ h, archived: false })), ...archived.map((h) => ({ h, archived: true }))]
    .map(({ h, archived }) => ({
      at: h.timestamp.toISOString(),
      action: h.action,
      details: h.details ?? null,
      ipAddress: h.ipAddress,
      userAgent: h.userAgent,
      archived,
    }))
    .concat(queued)
    .sort((a, b) => (a.at < b.at ? 1 : a.at > b.at ? -1 : 0));
  const contentTypes = [user.emailBlogUpdates && 'blog', user.emailThoughtUpdates && 'thought', user.emailAnnouncements && 'announcement'].filter(
    (t): t is string => typeof t === 'string',
  );
  return {
    exportedAt: now.toISOString(),
    account: {
      id: user.id,
      email: user.email,
      username: user.username,
      role: user.role,
      createdAt: iso(user.createdAt),
      updatedAt: iso(user.updatedAt),
      emailVerified: user.emailVerified,
      emailProvenAt: iso(user.emailProvenAt),
      emailStatus: user.emailStatus,
      bounceCount: user.bounceCount,
      lastBounceAt: iso(user.lastBounceAt),
      lastEmailSentAt: lastEmailSentAt > 0 ? new Date(lastEmailSentAt).toISOString() : null,
      unsubscribedAt: iso(user.unsubscribedAt),
      hasPassword: user.passwordHash !== null,
    },
    profile: profile
      ? { displayName: profile.displayName, bio: profile.bio, website: profile.website, avatarUrl: profile.avatarUrl, timezone: profile.timezone }
      : null,
    preferences: { contentTypes, frequency: user.emailFrequency, unsubscribeAll: user.unsubscribeAll },
    consents,
    history,
    sessionCount: sessionRows[0]?.n ?? 0,
  };
}

export type EraseResult = { erased: boolean; suppressionKept: boolean };

// ?1 user id, ?2 address hash, ?3 now. Kept only for a reader who unsubscribed or complained;
// an entry already there (a bounce, an author's suppression) stays as it is.
const KEEP_SUPPRESSION = `INSERT INTO suppressions (address_hash, reason, source, created_at)
  SELECT ?2,
    CASE WHEN EXISTS (SELECT 1 FROM email_notification_history WHERE user_id = ?1 AND action = 'complained') THEN 'complaint' ELSE 'unsubscribed' END,
    'erasure', ?3
  FROM users WHERE id = ?1 AND (unsubscribe_all = 1 OR unsubscribed_at IS NOT NULL OR email_status IN ('unsubscribed', 'blocked')
    OR EXISTS (SELECT 1 FROM email_notification_history WHERE user_id = ?1 AND action IN ('unsubscribed', 'complained')))
  ON CONFLICT (address_hash) DO NOTHING`;

/**
 * Erases a reader in one batch (all or nothing) on any SqlRunner (a binding, local D1, the HTTP
 * API): the suppression hash if it must stay, the dev outbox copies of their mail, the rate-limit
 * buckets named after the address, the user row
 * (the rest cascades), and an audit row that names only the old id. `audit` says who asked.
 */
export async function eraseReaderOn(
  runner: SqlRunner,
  user: Pick<User, 'id' | 'email'>,
  audit: Omit<AdminAction, 'action' | 'targetType' | 'targetId'>,
  now = new Date(),
): Promise<EraseResult> {
  const at = toUnixSeconds(now);
  const hash = await addressHash(user.email);
  const [kept = 0, , , deleted = 0] = await runner.batch([
    stmt(KEEP_SUPPRESSION, user.id, hash, at),
    stmt('DELETE FROM dev_mail_outbox WHERE to_address = ?1', user.email),
    // Rate-limit buckets named after the address (their hash segment) go too.
    stmt(ADDRESS_BUCKETS_DELETE, await addressBucketParam(user.email)),
    stmt('DELETE FROM users WHERE id = ?1', user.id),
    stmt(ADMIN_AUDIT_INSERT, audit.actor, 'reader_erased', 'user', user.id, audit.details ? JSON.stringify(audit.details) : null, audit.ipAddress ?? null, at),
  ]);
  const remaining = await runner.query(stmt('SELECT 1 AS x FROM suppressions WHERE address_hash = ?1', hash));
  return { erased: deleted > 0, suppressionKept: kept > 0 || remaining.length > 0 };
}

export const eraseReader = (db: Db, user: Pick<User, 'id' | 'email'>, audit: Omit<AdminAction, 'action' | 'targetType' | 'targetId'>, now = new Date()) =>
  eraseReaderOn(d1Runner(d1Of(db)), user, audit, now);

/** The reader with this (normalised) address, on any SqlRunner: the CLI's lookup. */
export async function readerIdByEmail(runner: SqlRunner, email: string): Promise<{ id: string; email: string } | null> {
  const [row] = await runner.query<{ id: string; email: string }>(stmt('SELECT id, email FROM users WHERE email = ?1', email));
  return row ?? null;
}
