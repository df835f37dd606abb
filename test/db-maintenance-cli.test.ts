/**
 * The `npm run db:*` commands end to end: `--remote` against the D1 HTTP API stand-in
 * (the integration's own client, retries included), and `--local` on a throwaway project's
 * local D1 (its own wrangler.jsonc and .wrangler/state), including a real
 * `wrangler d1 export` backup restored with `wrangler d1 execute`.
 */
import { execFile } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { gunzipSync } from 'node:zlib';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { getPlatformProxy } from 'wrangler';
import { addressHash } from '../db/crypto';
import { archiveCommand } from '../integration/cli/db-archive';
import { backupCommand, backupFileName, pruneBackups } from '../integration/cli/db-backup';
import { integrityCommand } from '../integration/cli/db-integrity';
import { retentionCommand } from '../integration/cli/db-retention';
import { statsCommand } from '../integration/cli/db-stats';
import { UsageError, type CommandContext } from '../integration/cli/db-target';
import { applyMigrations, MIGRATIONS_DIR, ROOT } from './helpers/d1';
import { startD1ApiStandIn, type D1ApiStandIn } from './helpers/d1-api-standin';
import { seedHistoryStatement } from './helpers/history';

const NOW = new Date('2026-11-30T12:00:00Z');
const nowSeconds = Math.floor(NOW.getTime() / 1000);
const YEAR = 365 * 24 * 60 * 60;

function context(env: CommandContext['env'], root = ROOT): CommandContext & { lines: string[] } {
  const lines: string[] = [];
  return { env, root, log: (line) => lines.push(line), lines };
}

describe('--remote, through the D1 HTTP API (stand-in)', () => {
  let api: D1ApiStandIn;
  let env: CommandContext['env'];
  beforeAll(async () => {
    api = await startD1ApiStandIn();
    env = {
      CLOUDFLARE_ACCOUNT_ID: api.accountId,
      CLOUDFLARE_API_TOKEN: api.token,
      CLOUDFLARE_D1_DATABASE_ID: api.databaseId,
      CLOUDFLARE_API_BASE_URL: api.apiBase,
    };
  });
  afterAll(async () => api?.close());
  beforeEach(async () => {
    for (const table of ['email_notification_history_archive', 'email_notification_history', 'sessions', 'dev_mail_outbox', 'users'])
      api.sqlite.exec(`DELETE FROM ${table}`);
    // Every reader row carries the hash of its address (db:integrity checks it).
    api.sqlite.exec(
      `INSERT INTO users (id, email, email_hash, email_verified) VALUES ('u1', 'reader@example.com', '${await addressHash('reader@example.com')}', 1)`,
    );
    api.requests.length = 0;
  });

  it('db:integrity exits 0 on a clean database and 1 with orphaned rows, which foreign_key_check and the orphan query both find', async () => {
    const clean = context(env);
    expect(await integrityCommand(['--remote'], clean)).toBe(0);
    expect(clean.lines[0]).toContain(`remote D1 ${api.databaseId}`);
    expect(clean.lines[0]).toMatch(/ok {3}integrity_check/); // plain SQLite allows it; D1 does not (see the local test)

    // Rows a database restored or imported with foreign keys off can hold (D1 itself refuses them).
    api.sqlite.exec('PRAGMA foreign_keys = OFF');
    api.sqlite.exec("INSERT INTO sessions (id, user_id, expires_at) VALUES ('s-orphan', 'ghost', 1)");
    api.sqlite.exec("INSERT INTO email_notification_history (id, user_id, action) VALUES ('h-orphan', 'ghost', 'sent')");
    api.sqlite.exec('PRAGMA foreign_keys = ON');
    const broken = context(env);
    expect(await integrityCommand(['--remote', '--json'], broken)).toBe(1);
    const report = JSON.parse(broken.lines[0]!);
    const byCheck = Object.fromEntries(report.findings.map((f: { check: string; count: number }) => [f.check, f]));
    expect(byCheck.foreign_key_check.count).toBe(2);
    expect(byCheck.orphaned_sessions).toMatchObject({ count: 1, sample: ['ghost'] });
    api.sqlite.exec("DELETE FROM sessions WHERE id = 's-orphan'");
  });

  it('db:archive moves old history in batches of two statements, one request per batch, retrying a 503', async () => {
    const seed = seedHistoryStatement({ count: 250, userId: 'u1', prefix: 'old', start: nowSeconds - YEAR, step: 60 });
    api.sqlite.prepare(seed.sql).run(...seed.params);
    api.failNext(503, 1);
    const ctx = context(env);
    expect(await archiveCommand(['--remote', '--batch-size', '100'], ctx, NOW)).toBe(0);
    expect(ctx.lines.filter((l) => /^ {2}batch \d+: /.test(l))).toHaveLength(3);
    expect(ctx.lines.at(-1)).toMatch(/moved 250 of 250 history row\(s\) .* in 3 batch\(es\) of ≤ 100 rows \(2 statements each\)/);
    expect(api.requests.filter((r) => r.status === 503)).toHaveLength(1);
    expect(api.requests.filter((r) => r.status === 200 && r.statements === 2)).toHaveLength(3);
    expect(api.sqlite.prepare('SELECT count(*) AS n FROM email_notification_history_archive').get()).toEqual({ n: 250 });
    expect(api.sqlite.prepare('SELECT count(*) AS n FROM email_notification_history').get()).toEqual({ n: 0 });
  });

  it('db:retention runs its seven statements as one request (one transaction)', async () => {
    api.sqlite.exec(
      `INSERT INTO dev_mail_outbox (id, to_address, subject, message_id_header, raw, created_at) VALUES ('m-old', 'a@x.test', 's', '<1@x>', 'r', ${nowSeconds - 30 * 86_400})`,
    );
    const ctx = context(env);
    expect(await retentionCommand(['--remote', '--outbox-days', '7'], ctx, NOW)).toBe(0);
    expect(ctx.lines[0]).toMatch(/1 dev outbox message\(s\) older than 7 day\(s\)/);
    expect(api.requests).toEqual([expect.objectContaining({ status: 200, statements: 7 })]);
  });

  it('db:stats prints counts and plans as JSON', async () => {
    const ctx = context(env);
    expect(await statsCommand(['--remote', '--json'], ctx)).toBe(0);
    const stats = JSON.parse(ctx.lines[0]!);
    expect(stats.tables).toContainEqual({ table: 'users', rows: 1 });
    expect(stats.tables).toContainEqual({ table: 'email_notification_history_archive', rows: 0 });
    expect(stats.plans.map((p: { name: string }) => p.name)).toEqual(['subscribers', 'fan-out', 'claim', 'unnotified-content']);
  });

  it('names the variable when credentials are missing or refused, and refuses bad flags', async () => {
    await expect(integrityCommand(['--remote'], context({ ...env, CLOUDFLARE_API_TOKEN: '' }))).rejects.toThrow(/CLOUDFLARE_API_TOKEN is not set/);
    await expect(integrityCommand(['--remote'], context({ ...env, CLOUDFLARE_API_TOKEN: 'wrong' }))).rejects.toThrow(/refused the D1 request \(401/);
    await expect(integrityCommand(['--remote', '--local'], context(env))).rejects.toThrow(UsageError);
    await expect(archiveCommand(['--remote', '--months', '6; DROP TABLE users'], context(env))).rejects.toThrow(/--months must be a whole number/);
    await expect(archiveCommand(['--remote', '--batch-size', '100000'], context(env))).rejects.toThrow(/--batch-size must be a whole number from 1 to 10000/);
    await expect(retentionCommand(['--remote', 'stray'], context(env))).rejects.toThrow(UsageError);
    await expect(backupCommand(['--remote'], context({ ...env, CLOUDFLARE_ACCOUNT_ID: undefined }))).rejects.toThrow(/CLOUDFLARE_ACCOUNT_ID is not set/);
  });
});

describe('--local, on a project of its own', () => {
  const projects: string[] = [];
  afterAll(() => {
    for (const p of projects) rmSync(p, { recursive: true, force: true });
  });

  /** A project root with a wrangler.jsonc and a migrated local D1 under .wrangler/state, seeded by `seed`. */
  async function project(name: string, seed?: (d1: D1Database) => Promise<unknown>): Promise<string> {
    const root = mkdtempSync(join(tmpdir(), 'db-cli-'));
    projects.push(root);
    writeFileSync(
      join(root, 'wrangler.jsonc'),
      JSON.stringify({
        name,
        compatibility_date: '2026-10-01',
        d1_databases: [{ binding: 'DB', database_name: name, database_id: '00000000-0000-0000-0000-000000000000', migrations_dir: MIGRATIONS_DIR }],
      }),
    );
    const proxy = await getPlatformProxy<{ DB: D1Database }>({ configPath: join(root, 'wrangler.jsonc'), persist: { path: join(root, '.wrangler/state/v3') } });
    try {
      if (seed) {
        await applyMigrations(proxy.env.DB);
        await seed(proxy.env.DB);
      }
    } finally {
      await proxy.dispose();
    }
    return root;
  }
  async function read<T>(root: string, sql: string): Promise<T[]> {
    const proxy = await getPlatformProxy<{ DB: D1Database }>({ configPath: join(root, 'wrangler.jsonc'), persist: { path: join(root, '.wrangler/state/v3') } });
    try {
      return (await proxy.env.DB.prepare(sql).all<T>()).results;
    } finally {
      await proxy.dispose();
    }
  }

  it('db:integrity and db:archive work on the local D1 of the project', { timeout: 90_000 }, async () => {
    const root = await project('maint-local', async (d1) => {
      await d1.prepare("INSERT INTO users (id, email) VALUES ('u1', 'reader@example.com'), ('u2', 'broken')").run();
      const seed = seedHistoryStatement({ count: 5, userId: 'u1', prefix: 'old', start: nowSeconds - YEAR, step: 60 });
      await d1
        .prepare(seed.sql)
        .bind(...seed.params)
        .run();
    });
    const check = context({}, root);
    expect(await integrityCommand([], check)).toBe(1);
    expect(check.lines[0]).toMatch(/FAIL invalid_emails +1 /);
    expect(check.lines[0]).toMatch(/ok {3}quick_check/);

    const archive = context({}, root);
    expect(await archiveCommand(['--local', '--batch-size', '2'], archive, NOW)).toBe(0);
    expect(archive.lines.slice(0, 3)).toEqual([
      expect.stringMatching(/^ {2}batch 1: 2\/5 rows moved/),
      expect.stringMatching(/^ {2}batch 2: 4\/5/),
      expect.stringMatching(/^ {2}batch 3: 5\/5/),
    ]);
    expect(await read(root, 'SELECT count(*) AS n FROM email_notification_history_archive')).toEqual([{ n: 5 }]);
  });

  it('db:backup exports a gzipped SQL file that wrangler d1 execute restores, keeping the newest --keep', async () => {
    const root = await project('maint-backup', async (d1) => {
      await d1.prepare("INSERT INTO users (id, email) VALUES ('u1', 'restore-me@example.com')").run();
    });
    const dir = join(root, 'backups');
    mkdirSync(dir);
    const old = [1, 2, 3].map((d) => backupFileName('maint-backup', 'local', new Date(Date.UTC(2026, 0, d))));
    for (const f of [...old, 'maint-backup-remote-20260101-000000Z.sql.gz', 'notes.txt']) writeFileSync(join(dir, f), 'x');

    const ctx = context({}, root);
    expect(await backupCommand(['--keep', '2'], ctx, NOW)).toBe(0);
    const file = backupFileName('maint-backup', 'local', NOW);
    expect(file).toBe('maint-backup-local-20261130-120000Z.sql.gz');
    expect(readdirSync(dir).sort()).toEqual([old[2], file, 'maint-backup-remote-20260101-000000Z.sql.gz', 'notes.txt'].sort());
    expect(ctx.lines.at(-1)).toMatch(/Deleted 2 older backup\(s\), keeping 2/);
    const sql = gunzipSync(readFileSync(join(dir, file))).toString('utf8');
    expect(sql).toMatch(/CREATE TABLE .*users/);
    expect(sql).toContain('restore-me@example.com');

    // Restore into an empty project, the way docs/operations.md says.
    const target = await project('maint-restore');
    writeFileSync(join(target, 'restore.sql'), sql);
    const wrangler = join(ROOT, 'node_modules', 'wrangler', 'bin', 'wrangler.js');
    await promisify(execFile)(process.execPath, [wrangler, 'd1', 'execute', 'DB', '--local', '--file', 'restore.sql', '--config', 'wrangler.jsonc', '--yes'], {
      cwd: target,
    });
    expect(await read(target, 'SELECT email FROM users')).toEqual([{ email: 'restore-me@example.com' }]);
  }, 120_000);

  it('pruneBackups keeps the newest of one database and target only', () => {
    const dir = mkdtempSync(join(tmpdir(), 'prune-'));
    projects.push(dir);
    const names = [5, 1, 3, 2, 4].map((d) => backupFileName('db', 'remote', new Date(Date.UTC(2026, 5, d, 10, 0, 0))));
    for (const f of [...names, 'db-local-20260101-000000Z.sql.gz', 'other-remote-20260101-000000Z.sql.gz']) writeFileSync(join(dir, f), '');
    expect(pruneBackups(dir, 'db', 'remote', 2).sort()).toEqual([
      'db-remote-20260601-100000Z.sql.gz',
      'db-remote-20260602-100000Z.sql.gz',
      'db-remote-20260603-100000Z.sql.gz',
    ]);
    expect(readdirSync(dir).sort()).toEqual([
      'db-local-20260101-000000Z.sql.gz',
      'db-remote-20260604-100000Z.sql.gz',
      'db-remote-20260605-100000Z.sql.gz',
      'other-remote-20260101-000000Z.sql.gz',
    ]);
  });
});
