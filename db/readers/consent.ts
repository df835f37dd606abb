/**
 * Consent records (GDPR Art. 7): one row per subscription event with what was chosen, where,
 * the wording shown (by version), IP, user agent, when asked and when confirmed.
 */
import { and, desc, eq, isNotNull, isNull, lt } from 'drizzle-orm';
import type { BatchItem } from 'drizzle-orm/batch';
import type { Db } from '../client';
import { newId } from '../crypto';
import { consents, consentTexts, type ConsentSource } from '../schema';

/** How long a verification link (and so an unconfirmed consent request) stays open; db/readers/verification-tokens.ts issues the links. */
export const VERIFICATION_TTL_SECONDS = 60 * 60 * 48; // 48 hours

/**
 * The wording shown next to every subscribe and register form. Changing it means a new
 * version id: old records keep pointing at the text their reader saw (stored in consent_texts).
 */
export const CONSENT_TEXT = {
  version: '2026-11-v1',
  text:
    'I agree to receive emails about the content I chose, as often as I chose. ' +
    'I can change this, download my data or delete my account at any time from the Email preferences link in every email.',
} as const;

/** The wording a reader saw: its version id and text (a translation has its own version, see consentWordingOf). */
export type ConsentWording = { version: string; text: string };

/**
 * The version of a wording: the English text keeps CONSENT_TEXT.version; any other text (a
 * translation, a host's own words) gets that version plus its language and a digest of the text,
 * so each record points at exactly the words shown (FNV-1a: an id, not a secret).
 */
export function consentWordingOf(text: string, locale: string): ConsentWording {
  if (text === CONSENT_TEXT.text) return CONSENT_TEXT;
  let hash = 0x811c9dc5;
  for (const unit of new TextEncoder().encode(text)) hash = Math.imul(hash ^ unit, 0x01000193) >>> 0;
  return { version: `${CONSENT_TEXT.version}/${locale.slice(0, 35)}/${hash.toString(16).padStart(8, '0')}`, text };
}

export type ConsentParams = {
  userId: string;
  source: ConsentSource;
  choices: { contentTypes: string[]; frequency: string };
  ipAddress?: string | null;
  userAgent?: string | null;
  /** SHA-256 of the verification token sent with this request; null when none (e.g. an import). */
  verificationTokenHash?: string | null;
  now: Date;
  /** Set when the address is already proven (an import attested by the author). */
  confirmedAt?: Date | null;
  /** The wording shown (default: the English CONSENT_TEXT). */
  wording?: ConsentWording;
};

/** The writes of one consent record, for the caller's batch: the wording (once per version), then the record. */
export function consentQueries(db: Db, p: ConsentParams): [BatchItem<'sqlite'>, BatchItem<'sqlite'>] {
  const wording = p.wording ?? CONSENT_TEXT;
  return [
    db.insert(consentTexts).values({ version: wording.version, text: wording.text, createdAt: p.now }).onConflictDoNothing(),
    db.insert(consents).values({
      id: newId(),
      userId: p.userId,
      source: p.source,
      choices: p.choices,
      textVersion: wording.version,
      ipAddress: p.ipAddress?.slice(0, 64) ?? null,
      userAgent: p.userAgent?.slice(0, 512) ?? null,
      requestedAt: p.now,
      confirmedAt: p.confirmedAt ?? null,
      verificationTokenHash: p.verificationTokenHash ?? null,
    }),
  ];
}

/** Confirming stamps the record the verification token belongs to (and forgets the hash). */
export function confirmConsentQuery(db: Db, tokenHash: string, now: Date) {
  return db
    .update(consents)
    .set({ confirmedAt: now, verificationTokenHash: null })
    .where(and(eq(consents.verificationTokenHash, tokenHash), isNull(consents.confirmedAt)));
}

/**
 * Every activation leaves a confirmed consent record: the one issued with this token, stamped,
 * or (none is left, e.g. its hash was forgotten) a new confirmed record with the choices that
 * activated. Returns whether a record was stamped.
 */
export async function recordConfirmedConsent(
  db: Db,
  p: Omit<ConsentParams, 'confirmedAt' | 'verificationTokenHash'> & { tokenHash: string | null },
): Promise<boolean> {
  if (p.tokenHash) {
    const stamped = await confirmConsentQuery(db, p.tokenHash, p.now).returning({ id: consents.id });
    if (stamped.length > 0) return true;
  }
  const [text, record] = consentQueries(db, { ...p, confirmedAt: p.now });
  await db.batch([text, record]);
  return false;
}

/**
 * Unconfirmed consent records past the confirmation link's lifetime (the longest of our links)
 * forget their token hash (data
 * minimisation: the request itself stays on record). Daily housekeeping and db:retention run it.
 */
export function staleConsentTokensQuery(db: Db, now: Date) {
  return db
    .update(consents)
    .set({ verificationTokenHash: null })
    .where(
      and(
        isNull(consents.confirmedAt),
        isNotNull(consents.verificationTokenHash),
        lt(consents.requestedAt, new Date(now.getTime() - VERIFICATION_TTL_SECONDS * 1000)),
      ),
    );
}

export type ConsentView = {
  source: ConsentSource;
  choices: { contentTypes: string[]; frequency: string };
  textVersion: string;
  text: string;
  ipAddress: string | null;
  userAgent: string | null;
  requestedAt: string;
  confirmedAt: string | null;
};

/** A reader's consent records with the wording they saw, newest first (export, console). Never the token hash. */
export async function consentsOf(db: Db, userId: string): Promise<ConsentView[]> {
  const rows = await db
    .select({
      source: consents.source,
      choices: consents.choices,
      textVersion: consents.textVersion,
      text: consentTexts.text,
      ipAddress: consents.ipAddress,
      userAgent: consents.userAgent,
      requestedAt: consents.requestedAt,
      confirmedAt: consents.confirmedAt,
    })
    .from(consents)
    .innerJoin(consentTexts, eq(consentTexts.version, consents.textVersion))
    .where(eq(consents.userId, userId))
    .orderBy(desc(consents.requestedAt), desc(consents.id));
  return rows.map((r) => ({ ...r, requestedAt: r.requestedAt.toISOString(), confirmedAt: r.confirmedAt?.toISOString() ?? null }));
}
