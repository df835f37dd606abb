/**
 * Email verification tokens (double opt-in). Only the SHA-256 of the token is stored in
 * users.email_verification_token; it expires after 48 hours and works once, decided by a
 * conditional UPDATE whose changed-row count says who won.
 */
import { and, desc, eq, gt } from 'drizzle-orm';
import type { Db } from '../../db/client';
import { randomToken, sha256Hex } from '../../db/crypto';
import { changedRows } from '../../db/params';
import { preferenceFlags } from '../../db/preferences';
import { CONTENT_TYPES, emailNotificationHistory, users, type ContentType, type EmailFrequency, type User } from '../../db/schema';

export const VERIFICATION_TTL_SECONDS = 60 * 60 * 48; // 48 hours

/** Preferences asked for at subscribe time, applied when the address is confirmed. */
type PendingPreferences = { contentTypes: ContentType[]; frequency: EmailFrequency };

export async function issueVerificationToken(db: Db, userId: string, now = new Date()): Promise<string> {
  const token = randomToken();
  await db
    .update(users)
    .set({
      emailVerificationToken: await sha256Hex(token),
      emailVerificationExpiresAt: new Date(now.getTime() + VERIFICATION_TTL_SECONDS * 1000),
    })
    .where(eq(users.id, userId));
  return token;
}

type VerificationState = { state: 'valid'; user: User } | { state: 'expired'; user: User } | { state: 'unknown' };

/** Read-only: what a token stands for (GET /verify shows the right page without spending it). */
export async function inspectVerificationToken(db: Db, token: string | null, now = new Date()): Promise<VerificationState> {
  if (!token) return { state: 'unknown' };
  const user = await db.query.users.findFirst({ where: eq(users.emailVerificationToken, await sha256Hex(token)) });
  if (!user) return { state: 'unknown' };
  if (!user.emailVerificationExpiresAt || user.emailVerificationExpiresAt.getTime() <= now.getTime()) return { state: 'expired', user };
  return { state: 'valid', user };
}

/** The preferences of the reader's latest subscribe request (kept in its `subscribed` history row). */
async function latestPendingPreferences(db: Db, userId: string): Promise<PendingPreferences | null> {
  const row = await db.query.emailNotificationHistory.findFirst({
    where: and(eq(emailNotificationHistory.userId, userId), eq(emailNotificationHistory.action, 'subscribed')),
    orderBy: [desc(emailNotificationHistory.timestamp)],
  });
  const details = row?.details as { contentTypes?: unknown; frequency?: unknown } | null | undefined;
  if (!details || !Array.isArray(details.contentTypes) || typeof details.frequency !== 'string') return null;
  return {
    contentTypes: details.contentTypes.filter((t): t is ContentType => (CONTENT_TYPES as readonly unknown[]).includes(t)),
    frequency: details.frequency as EmailFrequency,
  };
}

type ConfirmResult = { ok: true; user: User; applied: PendingPreferences | null } | { ok: false; state: 'expired' | 'unknown' };

/**
 * Confirms the address: verified, active, subscribed again if they had unsubscribed, with
 * the preferences of their subscribe request. Single use: the UPDATE only matches while
 * the token hash is still there and unexpired, and clears it.
 */
export async function confirmVerification(db: Db, token: string | null, now = new Date()): Promise<ConfirmResult> {
  const found = await inspectVerificationToken(db, token, now);
  if (found.state !== 'valid') return { ok: false, state: found.state };
  const { user } = found;
  const pending = await latestPendingPreferences(db, user.id);
  const result = await db
    .update(users)
    .set({
      emailVerified: true,
      emailVerificationToken: null,
      emailVerificationExpiresAt: null,
      // A blocked address stays blocked; anything else is deliverable again once confirmed.
      ...(user.emailStatus !== 'blocked' && { emailStatus: 'active' as const }),
      unsubscribeAll: false,
      unsubscribedAt: null,
      ...(pending && {
        ...preferenceFlags(pending.contentTypes),
        emailFrequency: pending.frequency,
      }),
      updatedAt: now,
    })
    .where(
      and(
        eq(users.id, user.id),
        eq(users.emailVerificationToken, user.emailVerificationToken!),
        gt(users.emailVerificationExpiresAt, now),
      ),
    );
  if (changedRows(result) !== 1) return { ok: false, state: 'unknown' }; // someone else spent it first
  return { ok: true, user, applied: pending };
}
