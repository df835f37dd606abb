/**
 * Subscriber import and export, set-based. Rows travel as JSON parameters read with
 * json_each (IMPORT_CHUNK rows per statement, far under D1's 100-parameter and statement
 * limits), and one import is ONE batch() (one transaction): users, their `subscribed`
 * history, the confirmation mails for readers without attested consent, the audit row.
 */
import { d1Of, type Db } from '../client';
import { adminAuditStatement } from './audit';
import { SUBSCRIBER_COLUMNS, subscriberWhere, toSubscriberRow, type RawSubscriber, type SubscriberFilters, type SubscriberRow } from './subscribers';
import { PREFERENCE_SQL_COLUMN } from '../delivery/eligibility';
import { CONTENT_TYPES, type ContentType, type EmailFrequency } from '../schema';
import { toUnixSeconds } from '../time';

/** Rows per statement: each JSON row is ~275 bytes, so a statement stays near 55 KB. */
export const IMPORT_CHUNK = 200;
/** Addresses per lookup statement in the dry run. */
const LOOKUP_CHUNK = 1000;
/** Rows per page of the streamed export. */
export const EXPORT_PAGE = 2000;

/**
 * Existing readers an import must never change or mail: unsubscribed, bounced and
 * suppressed (blocked) addresses. The one place the import decides that; a suppression list,
 * where one exists, joins this condition.
 */
export const NEVER_IMPORT_STATUSES = ['unsubscribed', 'bounced', 'blocked'] as const;

/** An address the import names that is already a reader, with their current choices (for the dry run's "would change" list). */
export type ExistingReader = { email: string; status: string; id: string; contentTypes: ContentType[]; frequency: EmailFrequency };
type RawExisting = { email: string; status: string; id: string; frequency: EmailFrequency } & Record<ContentType, number>;

export async function findExisting(db: Db, emails: readonly string[]): Promise<Map<string, ExistingReader>> {
  const d1 = d1Of(db);
  const found = new Map<string, ExistingReader>();
  if (emails.length === 0) return found;
  const statements = [];
  for (let i = 0; i < emails.length; i += LOOKUP_CHUNK) {
    statements.push(
      d1
        .prepare(`SELECT id, email, email_status AS status, email_frequency AS frequency,
          ${CONTENT_TYPES.map((t) => `${PREFERENCE_SQL_COLUMN[t]} AS ${t}`).join(', ')}
          FROM users WHERE email IN (SELECT value FROM json_each(?1))`)
        .bind(JSON.stringify(emails.slice(i, i + LOOKUP_CHUNK))),
    );
  }
  for (const result of await d1.batch<RawExisting>(statements)) {
    for (const r of result.results)
      found.set(r.email, { email: r.email, status: r.status, id: r.id, frequency: r.frequency, contentTypes: CONTENT_TYPES.filter((t) => r[t] === 1) });
  }
  return found;
}

export type ImportRow = {
  email: string;
  contentTypes: ContentType[];
  frequency: EmailFrequency;
  /** For new readers without attested consent: the SHA-256 of their verification token, and the link mailed to them. */
  tokenHash?: string;
  verifyUrl?: string;
  /** SHA-256 of the normalised address (db/crypto.ts addressHash): users.email_hash of a new reader. */
  emailHash?: string;
};

export type ImportWrite = {
  importId: string;
  actor: string;
  ipAddress?: string | null;
  consent: { attested: boolean; statement: string | null };
  created: ImportRow[];
  /** Existing readers whose choices the import replaces: empty unless the author ticked "update existing readers". */
  updated: ImportRow[];
  invalid: number;
  skipped: number;
  now: Date;
  verificationTtlSeconds: number;
};

const chunks = <T>(xs: readonly T[], size: number): T[][] => Array.from({ length: Math.ceil(xs.length / size) }, (_, i) => xs.slice(i * size, i * size + size));
// Each preference travels under its content type's name: { blog: 1, thought: 0, announcement: 1 }.
const jsonRow = (r: ImportRow) => ({
  e: r.email,
  x: r.emailHash ?? null,
  ...Object.fromEntries(CONTENT_TYPES.map((t) => [t, r.contentTypes.includes(t) ? 1 : 0])),
  f: r.frequency,
  types: r.contentTypes,
  h: r.tokenHash ?? null,
  u: r.verifyUrl ?? null,
  c: r.verifyUrl ? `verify:${r.tokenHash!.slice(0, 24)}` : null,
});

// ?1 rows, ?2 now, ?3 verified (attested consent), ?4 token expiry. New ids: 21 random hex characters.
const INSERT_USERS = `INSERT INTO users (id, email, email_hash, ${CONTENT_TYPES.map((t) => PREFERENCE_SQL_COLUMN[t]).join(', ')}, email_frequency,
    email_verified, email_verification_token, email_verification_expires_at, email_status, created_at, updated_at)
  SELECT substr(lower(hex(randomblob(11))), 1, 21), r.value->>'e', r.value->>'x', ${CONTENT_TYPES.map((t) => `r.value->>'${t}'`).join(', ')}, r.value->>'f',
    ?3, r.value->>'h', CASE WHEN r.value->>'h' IS NULL THEN NULL ELSE ?4 END, 'active', ?2, ?2
  FROM json_each(?1) AS r WHERE true
  ON CONFLICT (email) DO NOTHING`;

// Updates only readers an import may touch (never unsubscribed, bounced or suppressed ones).
// The reader is found through the unique email index (the rows are the outer loop, via IN).
const UPDATE_USERS = `UPDATE users
  SET ${CONTENT_TYPES.map((t) => `${PREFERENCE_SQL_COLUMN[t]} = r.value->>'${t}'`).join(', ')}, email_frequency = r.value->>'f', updated_at = ?2
  FROM json_each(?1) AS r
  WHERE users.email IN (SELECT value->>'e' FROM json_each(?1)) AND users.email = r.value->>'e'
    AND users.email_status NOT IN (${NEVER_IMPORT_STATUSES.map((s) => `'${s}'`).join(', ')})`;

// An updated reader's history says the import changed their choices, and which import (the done page lists them by it).
const UPDATED_HISTORY = `INSERT INTO email_notification_history (id, user_id, action, details, timestamp)
  SELECT lower(hex(randomblob(16))), u.id, 'preferences_updated',
    json_object('source', 'import', 'importId', ?3, 'contentTypes', r.value->'types', 'frequency', r.value->>'f'), ?2
  FROM json_each(?1) AS r CROSS JOIN users u ON u.email = r.value->>'e'
  WHERE u.email_status NOT IN (${NEVER_IMPORT_STATUSES.map((s) => `'${s}'`).join(', ')})`;

// The reader's preferences in their `subscribed` row, as the subscribe route does (confirming applies them).
const SUBSCRIBED_HISTORY = `INSERT INTO email_notification_history (id, user_id, action, details, timestamp)
  SELECT lower(hex(randomblob(16))), u.id, 'subscribed',
    json_object('source', 'import', 'importId', ?3, 'consentAttested', json(?4), 'contentTypes', r.value->'types', 'frequency', r.value->>'f'), ?2
  FROM json_each(?1) AS r CROSS JOIN users u ON u.email = r.value->>'e'`;

const VERIFICATION_MAILS = `INSERT INTO email_notifications
    (id, user_id, content_type, content_id, content_title, content_url, notification_type, status, created_at)
  SELECT lower(hex(randomblob(16))), u.id, 'system', r.value->>'c', 'Confirm your subscription', r.value->>'u', 'verification', 'pending', ?2
  FROM json_each(?1) AS r CROSS JOIN users u ON u.email = r.value->>'e'
  WHERE r.value->>'u' IS NOT NULL AND u.email_status = 'active'
  ON CONFLICT DO NOTHING`;

// One consent record per new reader (source admin_import), with the wording of this import: the
// author's attestation, or a note that the reader confirms through the mailed link (whose token
// hash the record carries, so /verify stamps it). ?1 rows, ?2 now, ?3 text version.
const IMPORT_CONSENT_TEXT = `INSERT INTO consent_texts (version, text, created_at) VALUES (?1, ?2, ?3) ON CONFLICT (version) DO NOTHING`;
const IMPORT_CONSENTS = `INSERT INTO consents (id, user_id, source, choices, text_version, requested_at, verification_token_hash)
  SELECT lower(hex(randomblob(16))), u.id, 'admin_import', json_object('contentTypes', r.value->'types', 'frequency', r.value->>'f'), ?3, ?2, r.value->>'h'
  FROM json_each(?1) AS r CROSS JOIN users u ON u.email = r.value->>'e'`;

/** Writes an import in one batch. Returns how many readers were created and updated. */
export async function writeImport(db: Db, w: ImportWrite): Promise<{ created: number; updated: number }> {
  const d1 = d1Of(db);
  const at = toUnixSeconds(w.now);
  const expiry = at + w.verificationTtlSeconds;
  const statements: D1PreparedStatement[] = [];
  const createdChunks = chunks(w.created.map(jsonRow), IMPORT_CHUNK).map((c) => JSON.stringify(c));
  const updatedChunks = chunks(w.updated.map(jsonRow), IMPORT_CHUNK).map((c) => JSON.stringify(c));
  for (const c of createdChunks) statements.push(d1.prepare(INSERT_USERS).bind(c, at, w.consent.attested ? 1 : 0, expiry));
  const inserts = statements.length;
  for (const c of updatedChunks) statements.push(d1.prepare(UPDATE_USERS).bind(c, at));
  for (const c of updatedChunks) statements.push(d1.prepare(UPDATED_HISTORY).bind(c, at, w.importId));
  for (const c of createdChunks) statements.push(d1.prepare(SUBSCRIBED_HISTORY).bind(c, at, w.importId, w.consent.attested ? 'true' : 'false'));
  if (!w.consent.attested) for (const c of createdChunks) statements.push(d1.prepare(VERIFICATION_MAILS).bind(c, at));
  if (createdChunks.length > 0) {
    const version = `import:${w.importId}`;
    const wording = w.consent.attested
      ? `Imported by ${w.actor}, who attested prior consent: ${w.consent.statement ?? '(no statement)'}`
      : `Imported by ${w.actor} without attested consent: nothing is sent until the reader confirms through the emailed link.`;
    statements.push(d1.prepare(IMPORT_CONSENT_TEXT).bind(version, wording, at));
    for (const c of createdChunks) statements.push(d1.prepare(IMPORT_CONSENTS).bind(c, at, version));
  }
  statements.push(
    adminAuditStatement(
      db,
      {
        actor: w.actor,
        ipAddress: w.ipAddress,
        action: 'subscribers_imported',
        targetType: 'import',
        targetId: w.importId,
        details: {
          created: w.created.length,
          updated: w.updated.length,
          invalid: w.invalid,
          skipped: w.skipped,
          consentAttested: w.consent.attested,
          consentStatement: w.consent.statement,
        },
      },
      w.now,
    ),
  );
  const results = await d1.batch(statements);
  const created = results.slice(0, inserts).reduce((sum, r) => sum + (r.meta.changes ?? 0), 0);
  const updated = results.slice(inserts, inserts + updatedChunks.length).reduce((sum, r) => sum + (r.meta.changes ?? 0), 0);
  return { created, updated };
}

/** One page of the export in address order (keyset), with the list's filters. */
export async function exportPage(db: Db, filters: SubscriberFilters, after: string, limit = EXPORT_PAGE): Promise<SubscriberRow[]> {
  const { where, params } = subscriberWhere(filters);
  const clause = `${where ? `${where} AND` : 'WHERE'} email > ?${params.length + 1}`;
  const { results } = await d1Of(db)
    .prepare(`SELECT ${SUBSCRIBER_COLUMNS} FROM users ${clause} ORDER BY email LIMIT ?${params.length + 2}`)
    .bind(...params, after, limit)
    .all<RawSubscriber>();
  return results.map(toSubscriberRow);
}
