/**
 * CSV import (dry run first) and streamed CSV export of subscribers. Parsing and writing CSV
 * is papaparse's job (quotes, embedded commas and newlines, BOM, formula escaping), not ours.
 *
 * Import columns (header row required): `email`, optional `types` (blog, thought,
 * announcement; separated by spaces, `;` or `|`; default blog) and `frequency` (immediate,
 * daily, weekly; default immediate). New readers are unconfirmed and get the confirmation
 * mail, unless the author attests prior consent (recorded with the import). Existing readers
 * are left as they are unless the author ticks "update existing readers" (the dry run lists
 * whose choices would change, from what to what). Existing unsubscribed, bounced or suppressed
 * addresses are skipped: never changed, never mailed. The rejected lines (invalid or skipped)
 * download as a CSV of the file's own cells plus the line number and the reason.
 */
import Papa from 'papaparse';
import type { Db } from '../../../db/client';
import { addressHash, randomToken, sha256Hex, newId } from '../../../db/crypto';
import { exportPage, findExisting, NEVER_IMPORT_STATUSES, writeImport, EXPORT_PAGE, type ImportRow } from '../../../db/admin/import';
import { recordAdminAction } from '../../../db/admin/audit';
import { isContentType } from '../../../db/delivery/eligibility';
import { suppressedAmong } from '../../../db/feedback/suppressions';
import type { SubscriberFilters } from '../../../db/admin/subscribers';
import { CONTENT_TYPES, EMAIL_FREQUENCIES, type ContentType, type EmailFrequency } from '../../../db/schema';
import { VERIFICATION_TTL_SECONDS } from '../verification';
import { formText } from '../forms';
import { parseEmailAddress } from '../../../db/readers/email-address';
import type { ActionContext } from './request';

export const MAX_IMPORT_ROWS = 50_000;
export const MAX_IMPORT_BYTES = 5 * 1024 * 1024; // 5 MiB: ~100,000 typical lines
const MAX_INVALID_LISTED = 200;
const MAX_CONSENT_STATEMENT = 500;
const CONTROL = /[\u0000-\u001f\u007f]/;

export type InvalidLine = { line: number; reason: string };
/** An existing reader whose choices the file would replace: who, and from what to what. */
export type ImportChange = ImportRow & { id: string; from: { contentTypes: ContentType[]; frequency: EmailFrequency } };
export type ImportPlan = {
  created: ImportRow[];
  /** Existing readers whose choices differ from the file's: changed only when the author asks. */
  updated: ImportChange[];
  /** Existing readers the file names with the choices they already have. */
  unchanged: number;
  skipped: { line: number; email: string; status: string }[];
  invalid: InvalidLine[];
  rows: number;
};

export type ParsedCsv =
  | { ok: true; rows: { line: number; email: string; contentTypes: ContentType[]; frequency: EmailFrequency }[]; invalid: InvalidLine[] }
  | { ok: false; reason: string };

function parseTypes(raw: string | undefined): ContentType[] | null {
  if (raw === undefined || raw.trim() === '') return ['blog'];
  const words = raw
    .toLowerCase()
    .split(/[\s;|,]+/)
    .filter(Boolean);
  if (!words.every(isContentType)) return null;
  return CONTENT_TYPES.filter((t) => words.includes(t));
}

type RawRow = { line: number; cells: string[]; error?: string };

/**
 * Rows with the line each starts on (quoted fields may span lines), via papaparse's step cursor.
 * Linear in the file: each step counts only the newlines it consumed (nothing is rescanned), and
 * every physical line, blank ones included, counts toward MAX_IMPORT_ROWS (+1 for the header).
 */
function csvRows(text: string): { rows: RawRow[]; tooMany: boolean } {
  const rows: RawRow[] = [];
  let tooMany = false;
  let line = 1; // the line the next row starts on
  let counted = 0; // text before this offset has had its newlines counted
  const newlinesUpTo = (end: number) => {
    for (let i = counted; i < end; i++) {
      const c = text.charCodeAt(i);
      if (c === 10 || (c === 13 && text.charCodeAt(i + 1) !== 10)) line++;
    }
    counted = Math.max(counted, end);
  };
  Papa.parse<string[]>(text, {
    skipEmptyLines: false,
    step: (result, parser) => {
      const start = line;
      newlinesUpTo(Math.min(text.length, result.meta.cursor)); // the cursor stands after the row's newline
      const blank = result.data.every((c) => c.trim() === '');
      // Past the cap (the header is line 1): anything but the empty end after a final newline.
      if (start > MAX_IMPORT_ROWS + 1 && !(blank && result.meta.cursor >= text.length)) {
        tooMany = true;
        parser.abort();
        return;
      }
      if (blank) return; // a blank line: counted, not a row
      rows.push({ line: start, cells: result.data, error: result.errors[0]?.message });
    },
  });
  return { rows, tooMany };
}

/** Parses and checks every line; never throws. Line numbers are the file's (the header is line 1). */
export function parseImportCsv(text: string): ParsedCsv {
  const { rows: raw, tooMany } = csvRows(text.replace(/^\uFEFF/, ''));
  if (tooMany) return { ok: false, reason: `at most ${MAX_IMPORT_ROWS.toLocaleString('en-US')} lines per import` };
  const [header, ...data] = raw;
  const fields = (header?.cells ?? []).map((h) => h.trim().toLowerCase());
  const column = (name: string) => fields.indexOf(name);
  const [emailAt, typesAt, frequencyAt] = [column('email'), column('types'), column('frequency')];
  if (emailAt === -1) return { ok: false, reason: 'the first line must be a header with an "email" column' };
  const seen = new Map<string, number>();
  const rows: Extract<ParsedCsv, { ok: true }>['rows'] = [];
  const invalid: InvalidLine[] = [];
  for (const { line, cells, error } of data) {
    const cell = (at: number) => (at === -1 ? undefined : cells[at]);
    if (error) {
      invalid.push({ line, reason: error });
      continue;
    }
    // The one address rule and normalisation of every entry point (db/readers/email-address.ts).
    const rawEmail = cell(emailAt) ?? '';
    const parsed = parseEmailAddress(rawEmail);
    const email = parsed.ok ? parsed.email : '';
    const problem =
      rawEmail.trim() === '' ? 'no email address' : !parsed.ok ? 'not an email address' : seen.has(email) ? `same address as line ${seen.get(email)}` : null;
    if (problem) {
      invalid.push({ line, reason: problem });
      continue;
    }
    const contentTypes = parseTypes(cell(typesAt));
    if (!contentTypes) {
      invalid.push({ line, reason: 'types must be blog, thought or announcement' });
      continue;
    }
    const frequency = (cell(frequencyAt) ?? '').trim().toLowerCase() || 'immediate';
    if (!(EMAIL_FREQUENCIES as readonly string[]).includes(frequency)) {
      invalid.push({ line, reason: 'frequency must be immediate, daily or weekly' });
      continue;
    }
    seen.set(email, line);
    rows.push({ line, email, contentTypes, frequency: frequency as EmailFrequency });
  }
  return { ok: true, rows, invalid };
}

const sameChoices = (a: { contentTypes: ContentType[]; frequency: EmailFrequency }, b: { contentTypes: ContentType[]; frequency: EmailFrequency }) =>
  a.frequency === b.frequency && a.contentTypes.length === b.contentTypes.length && a.contentTypes.every((t) => b.contentTypes.includes(t));

/** The dry run: what an import would do, without writing anything. */
export async function planImport(db: Db, text: string): Promise<{ ok: true; plan: ImportPlan } | { ok: false; reason: string }> {
  const parsed = parseImportCsv(text);
  if (!parsed.ok) return parsed;
  const emails = parsed.rows.map((r) => r.email);
  // The suppression list outlives the reader row: a suppressed address is never imported, whatever its status.
  const [existing, suppressed] = await Promise.all([findExisting(db, emails), suppressedAmong(db, emails)]);
  const plan: ImportPlan = { created: [], updated: [], unchanged: 0, skipped: [], invalid: parsed.invalid, rows: parsed.rows.length + parsed.invalid.length };
  for (const row of parsed.rows) {
    const found = existing.get(row.email);
    const item = { email: row.email, contentTypes: row.contentTypes, frequency: row.frequency };
    if (suppressed.has(row.email)) plan.skipped.push({ line: row.line, email: row.email, status: 'suppressed' });
    else if (!found) plan.created.push(item);
    else if ((NEVER_IMPORT_STATUSES as readonly string[]).includes(found.status)) plan.skipped.push({ line: row.line, email: row.email, status: found.status });
    else if (sameChoices(found, item)) plan.unchanged++;
    else plan.updated.push({ ...item, id: found.id, from: { contentTypes: found.contentTypes, frequency: found.frequency } });
  }
  return { ok: true, plan };
}

export type ImportView =
  | { step: 'form'; error?: string }
  | { step: 'summary'; csv: string; plan: ImportPlan; invalidListed: InvalidLine[] }
  | {
      step: 'done';
      importId: string;
      created: number;
      updated: number;
      /** Existing readers the file named whose choices were not touched (unchanged, or not asked to update). */
      leftAsTheyAre: number;
      skipped: number;
      invalid: number;
      consentAttested: boolean;
      mailed: number;
      /** The file again, when some lines were rejected: the done page offers them as a CSV. */
      csv: string | null;
    };

export type ImportDeps = { db: Db; siteUrl: string; now?: () => Date };

/**
 * POST /admin/subscribers/import: `mode=dry-run` shows the summary; `mode=import` writes (re-checking
 * everything; existing readers change only with `update_existing=yes`); `mode=rejected` answers
 * the rejected lines as a CSV download.
 */
export async function importAction(deps: ImportDeps, ctx: ActionContext): Promise<ImportView | Response> {
  const file = ctx.form.get('file');
  const text = file instanceof File && file.size > 0 ? await file.text() : (formText(ctx.form, 'csv') ?? '');
  if (text.trim() === '') return { step: 'form', error: 'Choose a CSV file (or paste the CSV).' };
  const planned = await planImport(deps.db, text);
  if (!planned.ok) return { step: 'form', error: `The CSV cannot be imported: ${planned.reason}.` };
  const { plan } = planned;
  if (formText(ctx.form, 'mode') === 'rejected') return rejectedResponse(text, plan);
  if (formText(ctx.form, 'mode') !== 'import') return { step: 'summary', csv: text, plan, invalidListed: plan.invalid.slice(0, MAX_INVALID_LISTED) };

  const attested = formText(ctx.form, 'consent') === 'yes';
  const statement = (formText(ctx.form, 'consent_statement') ?? '').replace(CONTROL, ' ').trim().slice(0, MAX_CONSENT_STATEMENT);
  if (attested && statement === '') {
    return { step: 'summary', csv: text, plan, invalidListed: plan.invalid.slice(0, MAX_INVALID_LISTED) };
  }
  const now = deps.now?.() ?? new Date();
  // New readers without attested consent get a token and its confirmation link.
  // Every new row carries users.email_hash, the key the suppression list joins on (db/feedback/suppressions.ts).
  const created = await Promise.all(
    plan.created.map(async (row) => {
      const withHash = { ...row, emailHash: await addressHash(row.email) };
      if (attested) return withHash;
      const token = randomToken();
      return { ...withHash, tokenHash: await sha256Hex(token), verifyUrl: `${deps.siteUrl}/verify?token=${encodeURIComponent(token)}` };
    }),
  );
  const updating = formText(ctx.form, 'update_existing') === 'yes';
  const importId = newId();
  const written = await writeImport(deps.db, {
    importId,
    actor: ctx.identity.actor,
    ipAddress: ctx.ipAddress,
    consent: { attested, statement: attested ? statement : null },
    created,
    updated: updating ? plan.updated : [],
    invalid: plan.invalid.length,
    skipped: plan.skipped.length,
    now,
    verificationTtlSeconds: VERIFICATION_TTL_SECONDS,
  });
  const rejected = plan.invalid.length + plan.skipped.length;
  return {
    step: 'done',
    importId,
    created: written.created,
    updated: written.updated,
    leftAsTheyAre: plan.unchanged + plan.updated.length - written.updated,
    skipped: plan.skipped.length,
    invalid: plan.invalid.length,
    consentAttested: attested,
    mailed: attested ? 0 : written.created,
    csv: rejected > 0 ? text : null,
  };
}

/** The rejected lines (invalid, then skipped) with the file's own cells, then `line` and `problem`. */
export function rejectedCsv(text: string, plan: Pick<ImportPlan, 'invalid' | 'skipped'>): string {
  const { rows } = csvRows(text.replace(/^\uFEFF/, ''));
  const byLine = new Map(rows.map((r) => [r.line, r.cells]));
  const header = rows[0]?.cells ?? [];
  const rejected = [
    ...plan.invalid.map((i) => ({ line: i.line, problem: i.reason })),
    ...plan.skipped.map((s) => ({ line: s.line, problem: `skipped: the address is ${s.status}` })),
  ].sort((a, b) => a.line - b.line);
  const data = rejected.map((r) => [...header.map((_, i) => byLine.get(r.line)?.[i] ?? ''), String(r.line), r.problem]);
  return `${Papa.unparse({ fields: [...header, 'line', 'problem'], data }, { escapeFormulae: true, newline: '\r\n' })}\r\n`;
}

function rejectedResponse(text: string, plan: ImportPlan): Response {
  return new Response(rejectedCsv(text, plan), {
    headers: {
      'content-type': 'text/csv; charset=utf-8',
      'content-disposition': `attachment; filename="rejected-${new Date().toISOString().slice(0, 10)}.csv"`,
      'cache-control': 'no-store',
      'x-content-type-options': 'nosniff',
    },
  });
}

export const EXPORT_FIELDS = ['email', 'status', 'types', 'frequency', 'joined'] as const;

/**
 * GET /admin/subscribers/export.csv: the filtered selection streamed page by page (keyset),
 * so memory stays flat whatever the list size. Formula-like cells are escaped (CSV injection).
 */
export function exportResponse(db: Db, filters: SubscriberFilters, actor: string): Response {
  const encoder = new TextEncoder();
  let after = '';
  let header = true;
  let total = 0;
  const stream = new ReadableStream<Uint8Array>({
    async pull(controller) {
      const page = await exportPage(db, filters, after, EXPORT_PAGE);
      const rows = page.map((r) => [r.email, r.status, r.contentTypes.join(' '), r.frequency, r.createdAt.toISOString()]);
      if (rows.length > 0 || header) {
        const csv = Papa.unparse({ fields: header ? [...EXPORT_FIELDS] : [], data: rows }, { header, escapeFormulae: true, newline: '\r\n' });
        controller.enqueue(encoder.encode(`${csv}\r\n`));
        header = false;
      }
      total += rows.length;
      if (page.length < EXPORT_PAGE) {
        await recordAdminAction(db, { actor, action: 'subscribers_exported', targetType: 'export', details: { filters, rows: total } });
        controller.close();
        return;
      }
      after = page.at(-1)!.email;
    },
  });
  const day = new Date().toISOString().slice(0, 10);
  return new Response(stream, {
    headers: {
      'content-type': 'text/csv; charset=utf-8',
      'content-disposition': `attachment; filename="subscribers-${day}.csv"`,
      'cache-control': 'no-store',
      'x-content-type-options': 'nosniff',
    },
  });
}
