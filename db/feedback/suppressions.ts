/**
 * The suppression list: addresses never to be mailed again, stored only as the SHA-256 of the
 * normalised address (normalizeEmail, then Unicode NFC). The fan-out, eligibility at send time,
 * subscribe and import consult it; it has no foreign key to users, so it survives erasure.
 *
 * D1 has no SHA-256 in SQL, so `users.email_hash` carries the same hash, written by createUser
 * and stamped by suppressAddress on a reader created before migration 0017: the fan-out and the
 * claim then join on an indexed column in the same single statement they already are.
 */
import { eq } from 'drizzle-orm';
import type { BatchItem } from 'drizzle-orm/batch';
import { d1Of, type Db } from '../client';
import { addressHash } from '../crypto';
/** The key of the list: SHA-256 of the normalised address (db/crypto.ts). */
export { addressHash };
import { suppressions, SUPPRESSION_REASONS, users, type SuppressionReason } from '../schema';
import { normalizeEmail } from '../readers/users';

export const MAX_SOURCE_LENGTH = 40;

export type SuppressParams = { reason: SuppressionReason; source: string; now?: Date };

function checkParams({ reason, source }: SuppressParams): void {
  if (!SUPPRESSION_REASONS.includes(reason)) throw new Error(`Invalid suppression reason: "${String(reason)}"`);
  if (!source || source.length > MAX_SOURCE_LENGTH) throw new Error(`A suppression source must be 1-${MAX_SOURCE_LENGTH} characters`);
}

/**
 * The un-executed writes of a suppression, for the caller's own batch: the entry (the first
 * reason wins; a second report changes nothing) and the reader's `email_hash` stamp.
 */
export function suppressionQueries(db: Db, address: string, hash: string, params: SuppressParams): BatchItem<'sqlite'>[] {
  checkParams(params);
  const now = params.now ?? new Date();
  return [
    db.insert(suppressions).values({ addressHash: hash, reason: params.reason, source: params.source, createdAt: now }).onConflictDoNothing(),
    db
      .update(users)
      .set({ emailHash: hash })
      .where(eq(users.email, normalizeEmail(address))),
  ];
}

/** Suppresses an address (one batch). Returns its hash. */
export async function suppressAddress(db: Db, address: string, params: SuppressParams): Promise<string> {
  const hash = await addressHash(address);
  const [first, ...rest] = suppressionQueries(db, address, hash, params);
  await db.batch([first!, ...rest]);
  return hash;
}

export async function isSuppressed(db: Db, address: string): Promise<boolean> {
  const hash = await addressHash(address);
  const row = await db.select({ reason: suppressions.reason }).from(suppressions).where(eq(suppressions.addressHash, hash)).get();
  return row !== undefined;
}

/**
 * The address is on the suppression list and no reader row holds it (erased, or a bounce of
 * someone who never subscribed): nothing about it may be stored again (no row, no consent, no
 * history, no rate-limit bucket) until the suppression is lifted. One read.
 */
export async function isSuppressedNonReader(db: Db, address: string): Promise<boolean> {
  const email = normalizeEmail(address);
  const row = await d1Of(db)
    .prepare('SELECT 1 AS x FROM suppressions WHERE address_hash = ?1 AND NOT EXISTS (SELECT 1 FROM users WHERE email = ?2)')
    .bind(await addressHash(email), email)
    .first();
  return row !== null;
}

/**
 * Which of many addresses are suppressed (e.g. an import): the subset, as given. The hashes
 * travel as JSON parameters (1,000 per statement), all statements in one batch: one round trip
 * for a 50,000-line import, not one query per hundred addresses.
 */
export async function suppressedAmong(db: Db, addresses: readonly string[]): Promise<Set<string>> {
  if (addresses.length === 0) return new Set();
  const hashes = await Promise.all(addresses.map(addressHash));
  const d1 = d1Of(db);
  const statements = [];
  for (let i = 0; i < hashes.length; i += 1000) {
    statements.push(
      d1
        .prepare('SELECT address_hash AS h FROM suppressions WHERE address_hash IN (SELECT value FROM json_each(?1))')
        .bind(JSON.stringify(hashes.slice(i, i + 1000))),
    );
  }
  const found = new Set<string>();
  for (const result of await d1.batch<{ h: string }>(statements)) for (const r of result.results) found.add(r.h);
  return new Set(addresses.filter((_, i) => found.has(hashes[i]!)));
}

/** Lifts a suppression (an admin decision). Returns whether there was one. */
export async function unsuppressAddress(db: Db, address: string): Promise<boolean> {
  const hash = await addressHash(address);
  const deleted = await db.delete(suppressions).where(eq(suppressions.addressHash, hash)).returning({ h: suppressions.addressHash });
  return deleted.length > 0;
}

/**
 * Suppresses many addresses at once (e.g. every recipient a provider refused as suppressed in a
 * batch): two statements in one batch, the addresses travelling as one JSON parameter.
 */
export async function suppressAddresses(db: Db, addresses: readonly string[], params: SuppressParams): Promise<number> {
  checkParams(params);
  if (addresses.length === 0) return 0;
  const entries = await Promise.all([...new Set(addresses.map(normalizeEmail))].map(async (a) => ({ a, h: await addressHash(a) })));
  const d1 = d1Of(db);
  const payload = JSON.stringify(entries);
  const at = Math.floor((params.now ?? new Date()).getTime() / 1000);
  const [inserted] = await d1.batch([
    d1
      .prepare(`INSERT INTO suppressions (address_hash, reason, source, created_at)
        SELECT value->>'h', ?2, ?3, ?4 FROM json_each(?1) WHERE true ON CONFLICT (address_hash) DO NOTHING`)
      .bind(payload, params.reason, params.source, at),
    d1.prepare(`UPDATE users SET email_hash = e.value->>'h' FROM json_each(?1) AS e WHERE users.email = e.value->>'a'`).bind(payload),
  ]);
  return inserted?.meta.changes ?? 0;
}
