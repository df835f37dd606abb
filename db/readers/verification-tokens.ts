/**
 * Email verification tokens (double opt-in). Only the SHA-256 of the token is stored in
 * users.email_verification_token; it expires after 48 hours and works once, decided by a
 * conditional UPDATE whose changed-row count says who won. The choices of the subscribe
 * request are written with the token (users.email_verification_choices, same UPDATE), so a
 * link confirms exactly what was asked with it.
 */
import { and, eq, gt } from 'drizzle-orm';
import type { Db } from '../client';
import { recordConfirmedConsent, VERIFICATION_TTL_SECONDS } from './consent';
import { randomToken, sha256Hex } from '../crypto';
import { contentTypesOf, isContentType, preferenceFlags } from '../delivery/eligibility';
import { changedRows } from '../params';
import { EMAIL_FREQUENCIES, sessions, users, type ContentType, type EmailFrequency, type User } from '../schema';

export { VERIFICATION_TTL_SECONDS };

/** Preferences asked for at subscribe time, applied when the address is confirmed. */
export type PendingPreferences = { contentTypes: ContentType[]; frequency: EmailFrequency };

export async function issueVerificationToken(db: Db, userId: string, now = new Date(), choices: PendingPreferences | null = null): Promise<string> {
  const token = randomToken();
  await db
    .update(users)
    .set({
      emailVerificationToken: await sha256Hex(token),
      emailVerificationExpiresAt: new Date(now.getTime() + VERIFICATION_TTL_SECONDS * 1000),
      emailVerificationChoices: choices,
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

/** The choices stored with the token, or null (a link issued without any, e.g. by an older version). */
function pendingOf(user: User): PendingPreferences | null {
  const choices = user.emailVerificationChoices;
  if (!choices || !Array.isArray(choices.contentTypes) || !(EMAIL_FREQUENCIES as readonly string[]).includes(choices.frequency)) return null;
  return {
    contentTypes: choices.contentTypes.filter(isContentType),
    frequency: choices.frequency as EmailFrequency,
  };
}

export type ConfirmResult = { ok: true; user: User; applied: PendingPreferences | null } | { ok: false; state: 'expired' | 'unknown' };

/**
 * Confirms the address: verified, active, subscribed again if they had unsubscribed, with
 * the preferences of their subscribe request. Single use: the UPDATE only matches while
 * the token hash is still there and unexpired, and clears it.
 */
export async function confirmVerification(db: Db, token: string | null, now = new Date()): Promise<ConfirmResult> {
  const found = await inspectVerificationToken(db, token, now);
  if (found.state !== 'valid') return { ok: false, state: found.state };
  const { user } = found;
  const pending = pendingOf(user);
  const firstProof = user.emailProvenAt === null;
  const result = await db
    .update(users)
    .set({
      emailVerified: true,
      emailProvenAt: now,
      emailVerificationChoices: null,
      // The first proof of the mailbox revokes any password set before it (integration/server/auth/proof.ts).
      ...(firstProof && { passwordHash: null }),
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
    .where(and(eq(users.id, user.id), eq(users.emailVerificationToken, user.emailVerificationToken!), gt(users.emailVerificationExpiresAt, now)));
  if (changedRows(result) !== 1) return { ok: false, state: 'unknown' }; // someone else spent it first
  // The first proof ends earlier sessions.
  if (firstProof) await db.delete(sessions).where(eq(sessions.userId, user.id));
  // The consent record this token was issued with is now confirmed; none left, a confirmed one is written.
  const choices = pending ?? { contentTypes: contentTypesOf(user), frequency: user.emailFrequency };
  await recordConfirmedConsent(db, { userId: user.id, tokenHash: user.emailVerificationToken!, source: 'subscribe_form', choices, now });
  return { ok: true, user, applied: pending };
}
