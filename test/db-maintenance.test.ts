/**
 * The maintenance procedures (db/maintenance/integrity.ts, db/content/archive.ts, db/maintenance/stats.ts, retention in
 * integration/delivery/housekeeping.ts, the weekly integrity cron) on real local D1.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { archiveBatchStatements, archiveHistory, monthsBefore } from '../db/content/archive';
import { collectDbStats } from '../db/maintenance/stats';
import { addressHash } from '../db/crypto';
import { runIntegrityCheck } from '../db/maintenance/integrity';
import { d1Runner, type SqlRunner } from '../db/sql-runner';
import { runRetention } from '../integration/delivery/housekeeping';
import { INTEGRITY_CRON, runScheduledIntegrity } from '../integration/delivery/integrity-alert';
import type { OutgoingEmail, Transport } from '../integration/delivery/transport';
import { CRON_ARCHIVE_MAX_BATCHES, runWeeklyMaintenance } from '../integration/delivery/weekly-maintenance';
import { createTestD1, ROOT, type TestD1 } from './helpers/d1';
import { HISTORY_FINGERPRINT, seedHistoryStatement } from './helpers/history';

let t: TestD1;
let db: SqlRunner;
beforeAll(async () => {
  t = await createTestD1();
  db = d1Runner(t.d1);
});
afterAll(async () => t?.dispose());

const NOW = new Date('2026-11-30T12:00:00Z');
const DAY = 24 * 60 * 60;
const nowSeconds = Math.floor(NOW.getTime() / 1000);
const TABLES = [
  'email_notification_history_archive',
  'email_notification_history',
  'email_notifications',
  'sessions',
  'unsubscribe_tokens',
  'rate_limits',
  'dev_mail_outbox',
  'content_items',
  'users',
];

const exec = (sql: string, ...params: (string | number | null)[]) =>
  t.d1
    .prepare(sql)
    .bind(...params)
    .run();
const one = async <T>(sql: string, ...params: (string | number)[]) =>
  (await t.d1
    .prepare(sql)
    .bind(...params)
    .first<T>())!;
const count = async (table: string) => (await one<{ n: number }>(`SELECT count(*) AS n FROM ${table}`)).n;

async function addUser(id: string, email: string, extra = '', hash: string | null = null) {
  const emailHash = hash ?? (await addressHash(email));
  await exec(
    `INSERT INTO users (id, email, email_hash, email_verified, email_blog_updates${extra ? `, ${extra.split('=')[0]}` : ''}) VALUES (?, ?, ?, 1, 1${extra ? `, ${extra.split('=')[1]}` : ''})`,
    id,
    email,
    emailHash,
  );
}

beforeEach(async () => {
  await t.d1.batch(TABLES.map((table) => t.d1.prepare(`DELETE FROM ${table}`)));
});

describe('db:integrity', () => {
  it('reports a clean database as ok, running quick_check because D1 refuses integrity_check', async () => {
    await expect(t.d1.prepare('PRAGMA integrity_check').all()).rejects.toThrow(/not authorized/);
    await addUser('u1', 'reader@example.com');
    const report = await runIntegrityCheck(db);
    expect(report.ok).toBe(true);
    expect(report.storageCheck).toBe('quick_check');
    expect(report.storageNote).toMatch(/SQLITE_AUTH/);
    expect(report.findings.map((f) => [f.check, f.count])).toEqual([
      ['quick_check', 0],
      ['foreign_key_check', 0],
      ['orphaned_sessions', 0],
      ['invalid_emails', 0],
      ['email_hash_mismatch', 0],
      ['notifications_without_content', 0],
      ['unsubscribed_but_active', 0],
      ['pending_for_unreachable_readers', 0],
    ]);
  });

  it('counts invalid addresses, notifications without content, unsubscribed-but-active readers and pending mail for bounced readers', async () => {
    await addUser('ok', 'reader@example.com');
    await addUser('bad1', 'no-at-sign');
    await addUser('bad2', ' Upper@Example.com');
    await addUser('unsub', 'gone@example.com', 'unsubscribe_all=1');
    await addUser('bounced', 'bounced@example.com', "email_status='bounced'");
    await exec(`INSERT INTO content_items (id, slug, content_type, title, publish_date, file_path) VALUES ('c1', 'blog/here', 'blog', 'Here', 1, 'x.md')`);
    const notification = (id: string, user: string, contentId: string, type = 'blog') =>
      exec(
        `INSERT INTO email_notifications (id, user_id, content_type, content_id, content_title, content_url) VALUES (?, ?, ?, ?, 't', 'https://x.test/')`,
        id,
        user,
        type,
        contentId,
      );
    await notification('n-here', 'ok', 'blog/here');
    await notification('n-gone', 'ok', 'blog/deleted-post');
    await notification('n-system', 'ok', 'verify', 'system');
    await notification('n-bounced', 'bounced', 'blog/here');

    const report = await runIntegrityCheck(db);
    const byCheck = Object.fromEntries(report.findings.map((f) => [f.check, f]));
    expect(report.ok).toBe(false);
    expect(byCheck.invalid_emails).toMatchObject({ count: 2, severity: 'error' });
    expect(byCheck.invalid_emails!.sample.sort()).toEqual(['bad1', 'bad2']);
    expect(byCheck.notifications_without_content).toMatchObject({ count: 1, sample: ['n-gone'] });
    expect(byCheck.unsubscribed_but_active).toMatchObject({ count: 1, sample: ['unsub'] });
    expect(byCheck.pending_for_unreachable_readers).toMatchObject({ count: 1, sample: ['n-bounced'] });
    expect(byCheck.foreign_key_check!.count).toBe(0); // D1 enforces foreign keys: orphans are tested on the API stand-in
  });

  it('checks the one address rule and the hash: IP literals, digit TLDs, invisible characters, missing or wrong email_hash', async () => {
    await addUser('ok', 'reader@example.com');
    await addUser('ip', 'x@127.0.0.1');
    await addUser('tld', 'x@example.123');
    await addUser('zw', 'x\u200b@example.com');
    await addUser('dots', 'a..b@example.com');
    await addUser('nohash', 'nohash@example.com', '', '');
    await exec(`UPDATE users SET email_hash = NULL WHERE id = 'nohash'`);
    await addUser('wrong', 'wrong@example.com', '', await addressHash('other@example.com'));
    const byCheck = Object.fromEntries((await runIntegrityCheck(db)).findings.map((f) => [f.check, f]));
    expect(byCheck.invalid_emails!.sample.sort()).toEqual(['dots', 'ip', 'tld', 'zw']);
    expect(byCheck.email_hash_mismatch!.sample.sort()).toEqual(['nohash', 'wrong']);
  });

  it('the weekly cron mails ADMIN_EMAIL only when a check finds something, through the configured transport', async () => {
    const sent: OutgoingEmail[] = [];
    const transport: Transport = { name: 'recording', send: async (email) => (sent.push(email), { ok: true, providerMessageId: 'm1' }) };
    const env = {
      DB: t.d1,
      ADMIN_EMAIL: ' Author@Example.com ',
      SITE_URL: 'https://blog.example.com',
      SITE_NAME: 'Plain Words',
      MAIL_FROM: 'Plain Words <news@blog.example.com>',
      POSTAL_ADDRESS: '1 Example Street',
      MAIL_TRANSPORT: 'resend',
      RESEND_API_KEY: 're_never_used',
    };
    await addUser('ok', 'reader@example.com');
    expect(await runScheduledIntegrity(env, { transport, now: NOW })).toMatchObject({ ok: true, alert: 'not_needed' });
    expect(sent).toHaveLength(0);

    await addUser('bad', 'not an address');
    const run = await runScheduledIntegrity(env, { transport, now: NOW });
    expect(run).toMatchObject({ ok: false, problems: 1, alert: 'sent' });
    expect(sent).toHaveLength(1);
    expect(sent[0]!.to).toBe('author@example.com');
    expect(sent[0]!.raw).toMatch(/^Subject: \[Plain Words\] Database integrity: 1 check\(s\) found problems\r$/m);
    expect(sent[0]!.raw).toContain('FAIL invalid_emails');

    expect(await runScheduledIntegrity({ ...env, ADMIN_EMAIL: undefined }, { transport })).toMatchObject({ alert: 'no_admin_email' });
    expect(await runScheduledIntegrity({ ...env, ADMIN_EMAIL: 'a@b.c\r\nBcc: x@evil.test' }, { transport })).toMatchObject({ alert: 'invalid_admin_email' });
    const failing: Transport = { name: 'failing', send: async () => ({ ok: false, retryable: true, error: 'http_503' }) };
    expect(await runScheduledIntegrity(env, { transport: failing })).toMatchObject({ alert: 'send_failed', sendError: 'http_503' });
    expect(sent).toHaveLength(1);
  });

  it('the weekly run archives old history within the invocation budget, then checks integrity', async () => {
    await addUser('u1', 'reader@example.com');
    await db.batch([seedHistoryStatement({ count: 1_500, userId: 'u1', prefix: 'old', start: monthsBefore(NOW, 8), step: 60 })]);
    const sent: OutgoingEmail[] = [];
    const transport: Transport = { name: 'recording', send: async (email) => (sent.push(email), { ok: true, providerMessageId: 'm1' }) };
    const run = await runWeeklyMaintenance({ DB: t.d1, ADMIN_EMAIL: 'author@example.com' }, { transport, now: NOW });
    expect(run.archive).toMatchObject({ moved: 1_500, batches: 2, remaining: 0 });
    expect(run.integrity).toMatchObject({ ok: true, alert: 'not_needed' });
    expect(sent).toHaveLength(0);
    expect(1 + 2 * CRON_ARCHIVE_MAX_BATCHES + run.integrity.report.findings.length).toBeLessThanOrEqual(1_000); // D1 queries per invocation
  });

  it('has its cron registered in wrangler.jsonc', () => {
    expect(readFileSync(join(ROOT, 'wrangler.jsonc'), 'utf8')).toContain(`"${INTEGRITY_CRON}"`);
  });
});

describe('db:archive', () => {
  const OLD_START = monthsBefore(NOW, 12); // 12 to ~7 months ago
  async function seed(old: number, recent: number, oldStep = 60) {
    await addUser('u1', 'reader@example.com');
    await db.batch([
      seedHistoryStatement({ count: old, userId: 'u1', prefix: 'old', start: OLD_START, step: oldStep }),
      ...(recent ? [seedHistoryStatement({ count: recent, userId: 'u1', prefix: 'new', start: nowSeconds - 30 * DAY, step: 60 })] : []),
    ]);
  }

  it('moves every row older than 6 months, in batches, column for column, and leaves the recent ones', async () => {
    await seed(2_500, 300);
    const before = (
      await one<{ rows: string }>(
        `SELECT json_group_array(json_array(id, notification_id, user_id, action, details, error_code, retry_attempt, ip_address, user_agent, timestamp)) AS rows FROM (SELECT * FROM email_notification_history WHERE id LIKE 'old-%' ORDER BY id)`,
      )
    ).rows;
    const progress: number[] = [];
    const summary = await archiveHistory(db, { now: NOW, batchRows: 1_000, onBatch: (p) => progress.push(p.moved) });

    expect(summary).toMatchObject({ eligible: 2_500, moved: 2_500, batches: 3, statementsPerBatch: 2, remaining: 0, cutoff: '2026-05-30T12:00:00.000Z' });
    expect(progress).toEqual([1_000, 2_000, 2_500]);
    expect(await count('email_notification_history')).toBe(300);
    expect(await one<{ n: number }>("SELECT count(*) AS n FROM email_notification_history WHERE id LIKE 'old-%'")).toEqual({ n: 0 });
    expect((await one<{ rows: string }>(HISTORY_FINGERPRINT('email_notification_history_archive'))).rows).toBe(before);

    expect(await archiveHistory(db, { now: NOW })).toMatchObject({ eligible: 0, moved: 0, batches: 0 });
  });

  it('honours --months and maxBatches, and reports what is left', async () => {
    await seed(500, 0, DAY / 2); // one row every 12 hours from 12 months ago: 250 days
    const olderThan9 = (await one<{ n: number }>('SELECT count(*) AS n FROM email_notification_history WHERE timestamp < ?', monthsBefore(NOW, 9))).n;
    expect(olderThan9).toBeGreaterThan(100);
    expect(olderThan9).toBeLessThan(500);
    const summary = await archiveHistory(db, { now: NOW, months: 9, batchRows: 50, maxBatches: 2 });
    expect(summary).toMatchObject({ eligible: olderThan9, moved: 100, batches: 2, remaining: olderThan9 - 100, cutoff: '2026-02-28T12:00:00.000Z' });
    expect(await count('email_notification_history_archive')).toBe(100);
  });

  it('a failing batch changes nothing: the rows it chose stay in history, earlier batches stay archived', async () => {
    await seed(2_000, 0);
    // A row of the second batch already in the archive makes that batch's INSERT fail (primary key).
    const [second] = await t.d1.prepare('SELECT id FROM email_notification_history ORDER BY timestamp, rowid LIMIT 1 OFFSET 1500').raw<[string]>();
    await exec(`INSERT INTO email_notification_history_archive (id, user_id, action, timestamp) VALUES (?, 'u1', 'sent', 1)`, second![0]);

    await expect(archiveHistory(db, { now: NOW, batchRows: 1_000 })).rejects.toThrow(/UNIQUE|constraint/i);
    expect(await count('email_notification_history')).toBe(1_000);
    expect(await count('email_notification_history_archive')).toBe(1_001);
    expect(await one<{ n: number }>('SELECT count(*) AS n FROM email_notification_history h JOIN email_notification_history_archive a ON a.id = h.id')).toEqual(
      { n: 1 },
    );
  });

  it('each batch is two statements with two bound parameters, well inside D1 limits', () => {
    const statements = archiveBatchStatements(1_700_000_000, 1_000);
    expect(statements).toHaveLength(2);
    for (const s of statements) {
      expect(s.params).toHaveLength(2);
      expect(new TextEncoder().encode(s.sql).length).toBeLessThan(1_000);
    }
  });

  it('--prune-previews clears the preview of notified entries older than a year and keeps their hash', async () => {
    const item = (id: string, published: number, sent: number) =>
      exec(
        `INSERT INTO content_items (id, slug, content_type, title, content_preview, content_hash, publish_date, file_path, notification_sent) VALUES (?, ?, 'blog', 't', 'preview', 'hash', ?, 'f.md', ?)`,
        id,
        `blog/${id}`,
        published,
        sent,
      );
    await item('old-sent', nowSeconds - 400 * DAY, 1);
    await item('old-unsent', nowSeconds - 400 * DAY, 0);
    await item('recent', nowSeconds - 100 * DAY, 1);
    const summary = await archiveHistory(db, { now: NOW, prunePreviews: true });
    expect(summary.previewsPruned).toBe(1);
    const rows = (await t.d1.prepare('SELECT id, content_preview, content_hash FROM content_items ORDER BY id').all()).results;
    expect(rows).toEqual([
      { id: 'old-sent', content_preview: null, content_hash: 'hash' },
      { id: 'old-unsent', content_preview: 'preview', content_hash: 'hash' },
      { id: 'recent', content_preview: 'preview', content_hash: 'hash' },
    ]);
  });

  it('refuses nonsense options before touching the database', async () => {
    await expect(archiveHistory(db, { months: 0 })).rejects.toThrow(RangeError);
    await expect(archiveHistory(db, { batchRows: 100_001 })).rejects.toThrow(RangeError);
  });
});

describe('db:retention', () => {
  it('deletes what housekeeping deletes plus dev outbox mail older than N days, in one transaction', async () => {
    await addUser('u1', 'reader@example.com');
    await db.batch([
      { sql: "INSERT INTO sessions (id, user_id, expires_at) VALUES ('expired', 'u1', ?), ('live', 'u1', ?)", params: [nowSeconds - 1, nowSeconds + DAY] },
      {
        sql: "INSERT INTO unsubscribe_tokens (id, user_id, token, token_type, expires_at) VALUES ('t-old', 'u1', 'h1', 'one_click', ?), ('t-live', 'u1', 'h2', 'one_click', ?)",
        params: [nowSeconds - DAY, nowSeconds + DAY],
      },
      { sql: "INSERT INTO rate_limits (bucket, window_start, count) VALUES ('old', ?, 1), ('now', ?, 1)", params: [nowSeconds - 2 * DAY, nowSeconds] },
      {
        sql: "INSERT INTO account_tokens (id, user_id, purpose, token_hash, expires_at) VALUES ('a-old', 'u1', 'sign_in', 'ha', ?), ('a-live', 'u1', 'sign_in', 'hb', ?)",
        params: [nowSeconds - 60, nowSeconds + 600],
      },
      { sql: "INSERT INTO consent_texts (version, text) VALUES ('t-test', 'wording') ON CONFLICT DO NOTHING", params: [] },
      {
        sql: `INSERT INTO consents (id, user_id, source, choices, text_version, requested_at, confirmed_at, verification_token_hash) VALUES
          ('c-stale', 'u1', 'subscribe_form', '{}', 't-test', ?, NULL, 'hash-stale'), ('c-recent', 'u1', 'subscribe_form', '{}', 't-test', ?, NULL, 'hash-recent')`,
        params: [nowSeconds - 3 * DAY, nowSeconds - 60],
      },
      {
        sql: "INSERT INTO dev_mail_outbox (id, to_address, subject, message_id_header, raw, created_at) VALUES ('m-old', 'a@x.test', 's', '<1@x>', 'r', ?), ('m-new', 'a@x.test', 's', '<2@x>', 'r', ?)",
        params: [nowSeconds - 20 * DAY, nowSeconds - DAY],
      },
    ]);
    expect(await runRetention(db, { now: NOW, outboxDays: 14 })).toEqual({
      sessions: 1,
      tokens: 1,
      accountTokens: 1,
      rateLimits: 1,
      providerEvents: 0,
      consentTokens: 1,
      devOutbox: 1,
    });
    expect((await t.d1.prepare('SELECT id FROM sessions').all()).results).toEqual([{ id: 'live' }]);
    expect((await t.d1.prepare('SELECT id FROM unsubscribe_tokens').all()).results).toEqual([{ id: 't-live' }]);
    expect((await t.d1.prepare('SELECT bucket FROM rate_limits').all()).results).toEqual([{ bucket: 'now' }]);
    expect((await t.d1.prepare('SELECT id FROM account_tokens').all()).results).toEqual([{ id: 'a-live' }]);
    // A consent record past its link's life forgets the token hash; the record itself stays.
    expect((await t.d1.prepare('SELECT id, verification_token_hash AS hash FROM consents ORDER BY id').all()).results).toEqual([
      { id: 'c-recent', hash: 'hash-recent' },
      { id: 'c-stale', hash: null },
    ]);
    expect((await t.d1.prepare('SELECT id FROM dev_mail_outbox').all()).results).toEqual([{ id: 'm-new' }]);
    expect(await runRetention(db, { now: NOW, outboxDays: 0 })).toEqual({
      sessions: 0,
      tokens: 0,
      accountTokens: 0,
      rateLimits: 0,
      providerEvents: 0,
      consentTokens: 0,
      devOutbox: 1,
    });
  });
});

describe('db:stats', () => {
  it('counts every table and shows the index each hot query uses, with no full table scan', async () => {
    await addUser('u1', 'reader@example.com');
    await db.batch([seedHistoryStatement({ count: 7, userId: 'u1', prefix: 'h', start: 1, step: 1 })]);
    const stats = await collectDbStats(db, NOW);
    const rows = Object.fromEntries(stats.tables.map((s) => [s.table, s.rows]));
    expect(rows).toMatchObject({ users: 1, email_notification_history: 7, email_notification_history_archive: 0, email_templates: 8 });
    expect(Object.keys(rows).some((name) => name.startsWith('_cf_') || name.startsWith('sqlite_'))).toBe(false);

    const plans = Object.fromEntries(stats.plans.map((p) => [p.name, p]));
    expect(plans.subscribers!.indexes).toEqual(['idx_users_active_preferences', 'sqlite_autoindex_suppressions_1']);
    expect(plans['fan-out']!.indexes).toEqual(expect.arrayContaining(['idx_users_active_preferences', 'idx_email_notifications_fanout_unique']));
    expect(plans.claim!.indexes).toEqual(
      expect.arrayContaining(['idx_email_notifications_claimable', 'idx_email_notifications_retry_due', 'idx_email_notifications_lease']),
    );
    expect(plans['unnotified-content']!.indexes.some((i) => i.startsWith('idx_content_items_'))).toBe(true);
    expect(stats.plans.length).toBeGreaterThan(0); // the loop below must check something
    for (const p of stats.plans) expect(p.fullScans, p.name).toEqual([]);
  });
});
