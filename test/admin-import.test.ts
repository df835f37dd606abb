/**
 * Subscriber import (dry run, then write) and the streamed export, on real local D1:
 * line-numbered errors, consent attestation, unsubscribed/bounced/suppressed addresses never
 * touched or mailed, 10,000 rows in one batch, and the export read back with papaparse.
 */
import Papa from 'papaparse';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { parseSubscriberFilters, searchSubscribers } from '../db/admin/subscribers';
import { addressHash } from '../db/crypto';
import { CSRF_COOKIE, type AdminSettings } from '../integration/server/admin/gate';
import { exportResponse, importAction, MAX_IMPORT_BYTES, MAX_IMPORT_ROWS, parseImportCsv, type ImportView } from '../integration/server/admin/import-export';
import { authorizeAdminPost } from '../integration/server/admin/request';
import { processNotifications } from '../integration/delivery/processor';
import { createDevCaptureTransport } from '../integration/delivery/providers/dev/transport';
import { createTestD1, type TestD1 } from './helpers/d1';
import { addReader, clearTables, rows, testConfig } from './helpers/delivery';

let t: TestD1;
beforeAll(async () => {
  t = await createTestD1();
});
afterAll(async () => t?.dispose());
beforeEach(async () => {
  await clearTables(t.d1);
  await t.d1.batch([t.d1.prepare('DELETE FROM dev_mail_outbox'), t.d1.prepare('DELETE FROM admin_audit_log')]);
});

const ORIGIN = 'http://127.0.0.1:4321';
const CSRF = 'c'.repeat(43);
const settings: AdminSettings = { access: null, devBypass: true, mailTransport: 'dev' };

async function post(fields: Record<string, string>): Promise<ImportView> {
  const answer = await postRaw(fields);
  if (answer instanceof Response) throw new Error(`a download, not a page: ${answer.status}`);
  return answer;
}

async function postRaw(fields: Record<string, string>): Promise<ImportView | Response> {
  const body = new FormData();
  body.set('csrf', CSRF);
  for (const [k, v] of Object.entries(fields)) body.set(k, v);
  const request = new Request(`${ORIGIN}/admin/subscribers/import`, { method: 'POST', headers: { origin: ORIGIN, cookie: `${CSRF_COOKIE}=${CSRF}` }, body });
  const ctx = await authorizeAdminPost(request, null, settings, { maxBytes: MAX_IMPORT_BYTES });
  if (ctx instanceof Response) throw new Error(`refused: ${ctx.status}`);
  return importAction({ db: t.db, siteUrl: 'https://blog.example.com' }, ctx);
}

describe('parseImportCsv', () => {
  it('reports invalid lines with their line numbers and reads quoted fields', () => {
    const csv =
      '\uFEFFEmail,Types,Frequency\r\nann@example.com,"blog, thought",daily\r\nnot-an-address,,\r\n\r\nANN@example.com,,\r\nbob@example.com,poetry,\r\ncarl@example.com,,hourly\r\n"dan@example.com",announcement,\r\n';
    const parsed = parseImportCsv(csv);
    expect(parsed.ok).toBe(true);
    if (!parsed.ok) return;
    expect(parsed.rows.map((r) => [r.line, r.email, r.contentTypes, r.frequency])).toEqual([
      [2, 'ann@example.com', ['blog', 'thought'], 'daily'],
      [8, 'dan@example.com', ['announcement'], 'immediate'],
    ]);
    const multiline = parseImportCsv('email,note\n"x@example.com","two\nlines"\nbad,\n');
    expect(multiline.ok && multiline.invalid).toEqual([{ line: 4, reason: 'not an email address' }]);
    expect(parsed.invalid).toEqual([
      { line: 3, reason: 'not an email address' },
      { line: 5, reason: 'same address as line 2' },
      { line: 6, reason: 'types must be blog, thought or announcement' },
      { line: 7, reason: 'frequency must be immediate, daily or weekly' },
    ]);
  });

  it('counts blank lines toward the line cap, and parses in time linear in the file (blank lines included)', () => {
    const blank = (n: number) => `email\n${'\n'.repeat(n)}a@example.com\n`;
    expect(parseImportCsv(blank(60_000))).toEqual({ ok: false, reason: 'at most 50,000 lines per import' });
    const nearCap = parseImportCsv(blank(MAX_IMPORT_ROWS - 2)); // header + blanks + one row = the cap exactly
    expect(nearCap.ok && nearCap.rows).toEqual([{ line: MAX_IMPORT_ROWS, email: 'a@example.com', contentTypes: ['blog'], frequency: 'immediate' }]);
    // The fastest of five runs, the file built beforehand: what is left is the parse itself.
    const time = (n: number) => {
      const text = blank(n);
      const runs = Array.from({ length: 5 }, () => {
        const started = performance.now();
        parseImportCsv(text);
        return performance.now() - started;
      });
      return Math.min(...runs);
    };
    time(5_000); // warm-up
    const [small, large] = [time(10_000), time(40_000)];
    // The figures themselves are npm run bench -- admin-import's (bench/results/admin-import.json).
    expect(large / Math.max(small, 1)).toBeLessThan(10); // linear is 4x, quadratic 16x
  });

  it('a file at the limits (50,000 lines, half blank, half addresses, under 5 MiB) is planned whole', async () => {
    // How long it takes is npm run bench -- admin-import's figure.
    const lines = ['email,types,frequency'];
    for (let i = 1; lines.length < MAX_IMPORT_ROWS + 1; i++) lines.push(i % 2 ? '' : `reader${i}@near-limit.example,blog thought,daily`);
    const csv = `${lines.join('\n')}\n`;
    expect(csv.length).toBeLessThan(MAX_IMPORT_BYTES);
    const dry = await post({ csv, mode: 'dry-run' });
    expect(dry.step === 'summary' && dry.plan.created.length).toBe(MAX_IMPORT_ROWS / 2);
  });

  it('refuses a file without an email header', () => {
    expect(parseImportCsv('address\nx@example.com\n')).toEqual({ ok: false, reason: 'the first line must be a header with an "email" column' });
  });
});

describe('import', () => {
  it('shows a dry run, then imports: new readers unconfirmed with a confirmation mail; existing readers left as they are; unsubscribed never touched', async () => {
    const existing = await addReader(t.db, 'existing@example.com', { blog: true, frequency: 'immediate' });
    await addReader(t.db, 'same@example.com', { blog: true, frequency: 'daily' });
    const gone = await addReader(t.db, 'gone@example.com', { blog: false });
    await t.d1.prepare("UPDATE users SET email_status = 'unsubscribed', unsubscribe_all = 1 WHERE id = ?1").bind(gone.id).run();
    const csv =
      'email,types,frequency\nnew@example.com,thought,weekly\nexisting@example.com,blog announcement,daily\ngone@example.com,blog,\nbroken,,\nsame@example.com,blog,daily\n';

    const dry = await post({ csv, mode: 'dry-run' });
    expect(dry.step).toBe('summary');
    if (dry.step !== 'summary') return;
    expect([dry.plan.created.length, dry.plan.unchanged, dry.plan.skipped.length, dry.plan.invalid]).toEqual([
      1,
      1,
      1,
      [{ line: 5, reason: 'not an email address' }],
    ]);
    // who would change, and how
    expect(dry.plan.updated).toEqual([
      {
        id: existing.id,
        email: 'existing@example.com',
        contentTypes: ['blog', 'announcement'],
        frequency: 'daily',
        from: { contentTypes: ['blog'], frequency: 'immediate' },
      },
    ]);
    expect(await rows(t.d1, "SELECT id FROM users WHERE email = 'new@example.com'")).toEqual([]); // nothing written

    const done = await post({ csv: dry.csv, mode: 'import' });
    expect(done).toEqual({
      step: 'done',
      importId: expect.any(String),
      created: 1,
      updated: 0,
      leftAsTheyAre: 2,
      skipped: 1,
      invalid: 1,
      consentAttested: false,
      mailed: 1,
      csv: expect.stringContaining('broken,,'),
    });
    const users = await rows<Record<string, unknown>>(
      t.d1,
      'SELECT email, email_verified, email_status, email_thought_updates, email_announcements, email_frequency, unsubscribe_all FROM users ORDER BY email',
    );
    expect(users).toEqual([
      {
        email: 'existing@example.com',
        email_verified: 1,
        email_status: 'active',
        email_thought_updates: 0,
        email_announcements: 0,
        email_frequency: 'immediate',
        unsubscribe_all: 0,
      },
      {
        email: 'gone@example.com',
        email_verified: 1,
        email_status: 'unsubscribed',
        email_thought_updates: 0,
        email_announcements: 0,
        email_frequency: 'immediate',
        unsubscribe_all: 1,
      },
      {
        email: 'new@example.com',
        email_verified: 0,
        email_status: 'active',
        email_thought_updates: 1,
        email_announcements: 0,
        email_frequency: 'weekly',
        unsubscribe_all: 0,
      },
      {
        email: 'same@example.com',
        email_verified: 1,
        email_status: 'active',
        email_thought_updates: 0,
        email_announcements: 0,
        email_frequency: 'daily',
        unsubscribe_all: 0,
      },
    ]);
    if (done.step !== 'done') return;
    // the done page's link: the readers this import created
    const imported = await searchSubscribers(t.db, parseSubscriberFilters(new URLSearchParams({ import: done.importId })));
    expect(imported.rows.map((r) => r.email)).toEqual(['new@example.com']);
    // The confirmation mail goes through the queue like any other; nothing to the unsubscribed address.
    const run = await processNotifications({ db: t.db, transport: createDevCaptureTransport(t.db), config: testConfig(), clock: () => new Date() });
    expect(run.sent).toBe(1);
    const mail = await rows<{ to_address: string; subject: string }>(t.d1, 'SELECT to_address, subject FROM dev_mail_outbox');
    expect(mail).toEqual([{ to_address: 'new@example.com', subject: expect.stringMatching(/^Confirm your subscription/) }]);
    const [audit] = await rows<{ actor: string; details: string }>(t.d1, "SELECT actor, details FROM admin_audit_log WHERE action = 'subscribers_imported'");
    expect(audit!.actor).toBe('dev-bypass');
    expect(JSON.parse(audit!.details)).toMatchObject({ created: 1, updated: 0, skipped: 1, invalid: 1, consentAttested: false });
    // A consent record for the new reader only, its wording per import, stamped when they confirm.
    const consents = await rows<{
      email: string;
      source: string;
      choices: string;
      text: string;
      confirmed_at: number | null;
      verification_token_hash: string | null;
    }>(
      t.d1,
      'SELECT u.email, c.source, c.choices, x.text, c.confirmed_at, c.verification_token_hash FROM consents c JOIN users u ON u.id = c.user_id JOIN consent_texts x ON x.version = c.text_version',
    );
    expect(consents).toHaveLength(1);
    expect(consents[0]).toMatchObject({ email: 'new@example.com', source: 'admin_import', confirmed_at: null });
    expect(JSON.parse(consents[0]!.choices)).toEqual({ contentTypes: ['thought'], frequency: 'weekly' });
    expect(consents[0]!.text).toMatch(/^Imported by dev-bypass without attested consent/);
    const [tokenOwner] = await rows<{ email_verification_token: string }>(t.d1, "SELECT email_verification_token FROM users WHERE email = 'new@example.com'");
    expect(consents[0]!.verification_token_hash).toBe(tokenOwner!.email_verification_token);
    // The imported row carries the hash the suppression list joins on, as every entry point writes it.
    const [hashed] = await rows<{ email_hash: string | null }>(t.d1, "SELECT email_hash FROM users WHERE email = 'new@example.com'");
    expect(hashed!.email_hash).toBe(await addressHash('new@example.com'));
  });

  it('replaces existing readers\' choices only when the author ticks "update existing readers", and says so in their history', async () => {
    const existing = await addReader(t.db, 'existing@example.com', { blog: true, frequency: 'immediate' });
    const done = await post({ csv: 'email,types,frequency\nexisting@example.com,thought|announcement,weekly\n', mode: 'import', update_existing: 'yes' });
    expect(done).toMatchObject({ step: 'done', created: 0, updated: 1, leftAsTheyAre: 0, mailed: 0, csv: null });
    const [user] = await rows<Record<string, unknown>>(
      t.d1,
      'SELECT email_blog_updates, email_thought_updates, email_announcements, email_frequency FROM users WHERE id = ?1',
      existing.id,
    );
    expect(user).toEqual({ email_blog_updates: 0, email_thought_updates: 1, email_announcements: 1, email_frequency: 'weekly' });
    const [history] = await rows<{ details: string }>(
      t.d1,
      "SELECT details FROM email_notification_history WHERE action = 'preferences_updated' AND user_id = ?1",
      existing.id,
    );
    expect(JSON.parse(history!.details)).toMatchObject({ source: 'import', contentTypes: ['thought', 'announcement'], frequency: 'weekly' });
    if (done.step !== 'done') return;
    const imported = await searchSubscribers(t.db, parseSubscriberFilters(new URLSearchParams({ import: done.importId })));
    expect(imported.rows.map((r) => r.email)).toEqual(['existing@example.com']);
  });

  it("offers the rejected lines as a CSV: the file's own cells, the line and the reason", async () => {
    const gone = await addReader(t.db, 'gone@example.com');
    await t.d1.prepare("UPDATE users SET email_status = 'bounced' WHERE id = ?1").bind(gone.id).run();
    const csv = 'email,types,frequency\nok@example.com,blog,\n"not, an address",blog,daily\ngone@example.com,blog,\nbad@example.com,poetry,\n';
    const response = await postRaw({ csv, mode: 'rejected' });
    if (!(response instanceof Response)) throw new Error('expected a download');
    expect(response.headers.get('content-type')).toBe('text/csv; charset=utf-8');
    expect(response.headers.get('content-disposition')).toMatch(/^attachment; filename="rejected-/);
    const parsed = Papa.parse<string[]>((await response.text()).trim());
    expect(parsed.data).toEqual([
      ['email', 'types', 'frequency', 'line', 'problem'],
      ['not, an address', 'blog', 'daily', '3', 'not an email address'],
      ['gone@example.com', 'blog', '', '4', 'skipped: the address is bounced'],
      ['bad@example.com', 'poetry', '', '5', 'types must be blog, thought or announcement'],
    ]);
    expect(await rows(t.d1, "SELECT id FROM users WHERE email = 'ok@example.com'")).toEqual([]); // a download writes nothing
  });

  it('with attested consent: readers are confirmed, no mail, and the statement is recorded', async () => {
    const noStatement = await post({ csv: 'email\na@example.com\n', mode: 'import', consent: 'yes' });
    expect(noStatement.step).toBe('summary'); // consent needs a statement
    const done = await post({ csv: 'email\na@example.com\n', mode: 'import', consent: 'yes', consent_statement: 'Signed up at the 2026 meetup (paper form)' });
    expect(done).toMatchObject({ step: 'done', created: 1, consentAttested: true, mailed: 0 });
    expect(await rows(t.d1, 'SELECT email_verified, email_verification_token FROM users')).toEqual([{ email_verified: 1, email_verification_token: null }]);
    expect(await rows(t.d1, 'SELECT id FROM email_notifications')).toEqual([]);
    const [history] = await rows<{ details: string }>(t.d1, "SELECT details FROM email_notification_history WHERE action = 'subscribed'");
    expect(JSON.parse(history!.details)).toMatchObject({ source: 'import', consentAttested: true, contentTypes: ['blog'], frequency: 'immediate' });
    const [audit] = await rows<{ details: string }>(t.d1, "SELECT details FROM admin_audit_log WHERE action = 'subscribers_imported'");
    expect(JSON.parse(audit!.details).consentStatement).toBe('Signed up at the 2026 meetup (paper form)');
    const consents = await rows<{ source: string; text: string }>(
      t.d1,
      'SELECT c.source, x.text FROM consents c JOIN consent_texts x ON x.version = c.text_version',
    );
    expect(consents).toEqual([
      { source: 'admin_import', text: 'Imported by dev-bypass, who attested prior consent: Signed up at the 2026 meetup (paper form)' },
    ]);
  });

  it('imports 10,000 rows in one batch and exports them back', async () => {
    const lines = [
      'email,types,frequency',
      ...Array.from({ length: 10_000 }, (_, i) => `reader${String(i).padStart(5, '0')}@bulk.example,blog,${i % 2 ? 'daily' : 'immediate'}`),
    ];
    const csv = `${lines.join('\n')}\n`;
    const dry = await post({ csv, mode: 'dry-run' });
    expect(dry.step === 'summary' && dry.plan.created.length).toBe(10_000);
    const done = await post({ csv, mode: 'import' });
    expect(done).toMatchObject({ step: 'done', created: 10_000, updated: 0, mailed: 10_000 });
    expect(await rows(t.d1, "SELECT count(*) AS n FROM email_notifications WHERE notification_type = 'verification'")).toEqual([{ n: 10_000 }]);

    const response = exportResponse(t.db, parseSubscriberFilters(new URLSearchParams('q=%40bulk.example&frequency=daily')), 'dev-bypass');
    expect(response.headers.get('content-type')).toBe('text/csv; charset=utf-8');
    const parsed = Papa.parse<Record<string, string>>(await response.text(), { header: true, skipEmptyLines: true });
    expect(parsed.meta.fields).toEqual(['email', 'status', 'types', 'frequency', 'joined']);
    expect(parsed.data).toHaveLength(5_000);
    expect(parsed.data[0]).toMatchObject({ email: 'reader00001@bulk.example', status: 'unconfirmed', types: 'blog', frequency: 'daily' });
    expect(new Set(parsed.data.map((r) => r.email)).size).toBe(5_000);
    const [audit] = await rows<{ details: string }>(t.d1, "SELECT details FROM admin_audit_log WHERE action = 'subscribers_exported'");
    expect(JSON.parse(audit!.details).rows).toBe(5_000);
  });

  it('escapes formula-like cells in the export', async () => {
    await addReader(t.db, '=cmd@example.com');
    const text = await exportResponse(t.db, {}, 'dev-bypass').text();
    expect(text).toContain(`"'=cmd@example.com"`);
  });

  it('refuses an upload over 5 MiB and a cross-site import', async () => {
    const big = new FormData();
    big.set('csrf', CSRF);
    big.set('csv', 'x'.repeat(MAX_IMPORT_BYTES + 10));
    const request = new Request(`${ORIGIN}/admin/subscribers/import`, {
      method: 'POST',
      headers: { origin: ORIGIN, cookie: `${CSRF_COOKIE}=${CSRF}` },
      body: big,
    });
    expect(((await authorizeAdminPost(request, null, settings, { maxBytes: MAX_IMPORT_BYTES })) as Response).status).toBe(413);
    const cross = new Request(`${ORIGIN}/admin/subscribers/import`, {
      method: 'POST',
      headers: { origin: 'https://evil.example', cookie: `${CSRF_COOKIE}=${CSRF}` },
      body: big,
    });
    expect(((await authorizeAdminPost(cross, null, settings, { maxBytes: MAX_IMPORT_BYTES })) as Response).status).toBe(403);
  });
});
