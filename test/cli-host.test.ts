/**
 * `npx astro-d1-notify <command>` as a host runs it: the `npm pack` tarball unpacked into a
 * throwaway project's node_modules (its own wrangler.jsonc, migrations folder and local D1), the
 * bin started with Node from there. Every command, its --help, bad arguments (exit 2, one message,
 * no stack trace), --remote through the D1 HTTP API stand-in, and no secret in what it prints.
 */
import { spawn, spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { drizzle } from 'drizzle-orm/d1';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { getPlatformProxy } from 'wrangler';
import * as schema from '../db/schema';
import { DEFAULT_ARCHIVE_BATCH_ROWS, DEFAULT_ARCHIVE_MONTHS, MAX_ARCHIVE_BATCH_ROWS, PREVIEW_RETENTION_MONTHS } from '../db/content/archive';
import { DEFAULT_BACKUP_DIR, DEFAULT_KEEP } from '../integration/cli/db-backup';
import { COMMANDS } from '../integration/cli/commands.mjs';
import { DEFAULT_OUTBOX_DAYS } from '../integration/delivery/housekeeping';
import { ROOT } from './helpers/d1';
import { startD1ApiStandIn } from './helpers/d1-api-standin';
import { addContent, addReader } from './helpers/delivery';

const NODE = join(ROOT, 'node_modules/.bin/node');
type Run = { code: number | null; stdout: string; stderr: string };

let host: string;
let bin: string;

/** Runs the bin in the host project; `env` replaces the CLOUDFLARE_* and secret variables of this process. */
function cli(args: string[], env: Record<string, string> = {}): Promise<Run> {
  const base = Object.fromEntries(Object.entries(process.env).filter(([k]) => !/^(CLOUDFLARE_|PROCESS_SECRET|GMAIL_)/.test(k)));
  return new Promise((resolve) => {
    const child = spawn(NODE, [bin, ...args], { cwd: host, env: { ...base, NO_COLOR: '1', ...env } });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

async function withHostD1<T>(fn: (d1: D1Database) => Promise<T>): Promise<T> {
  const proxy = await getPlatformProxy<{ DB: D1Database }>({ configPath: join(host, 'wrangler.jsonc'), persist: { path: join(host, '.wrangler/state/v3') } });
  try {
    return await fn(proxy.env.DB);
  } finally {
    await proxy.dispose();
  }
}
const one = <T>(sql: string) => withHostD1(async (d1) => d1.prepare(sql).first<T>());

beforeAll(() => {
  host = mkdtempSync(join(tmpdir(), 'cli-host-'));
  // The host's own config and migration: ours are numbered after it, in the binding's migrations_dir.
  writeFileSync(
    join(host, 'wrangler.jsonc'),
    `// a host's config\n{ "name": "host-blog", "compatibility_date": "2026-10-01",\n  "d1_databases": [{ "binding": "DB", "database_name": "host-blog", "database_id": "00000000-0000-0000-0000-000000000000", "migrations_dir": "db/migrations" }] }\n`,
  );
  mkdirSync(join(host, 'db/migrations'), { recursive: true });
  writeFileSync(join(host, 'db/migrations/0001_host_pages.sql'), 'CREATE TABLE host_pages (id TEXT PRIMARY KEY);\n');
  // The package as npm installs it: the tarball's files only; its dependencies from this repository.
  const pack = spawnSync('npm', ['pack', '--json', '--pack-destination', host], { cwd: ROOT, encoding: 'utf8' });
  expect(pack.status, pack.stderr).toBe(0);
  const tarball = join(host, (JSON.parse(pack.stdout) as { filename: string }[])[0]!.filename);
  const pkg = join(host, 'node_modules/astro-d1-notify');
  mkdirSync(pkg, { recursive: true });
  expect(spawnSync('tar', ['xzf', tarball, '-C', pkg, '--strip-components=1']).status).toBe(0);
  for (const dep of readdirSync(join(ROOT, 'node_modules'))) {
    if (dep !== 'astro-d1-notify' && !dep.startsWith('.')) symlinkSync(join(ROOT, 'node_modules', dep), join(host, 'node_modules', dep));
  }
  bin = join(pkg, 'integration/cli/bin.mjs');
}, 240_000);
afterAll(() => rmSync(host, { recursive: true, force: true }));

describe('help and arguments (no database)', () => {
  it('--help lists every command, and each command answers --help with its usage', async () => {
    const all = await cli(['--help']);
    expect(all.code).toBe(0);
    for (const { name } of COMMANDS) expect(all.stdout).toMatch(new RegExp(`^  ${name} `, 'm'));
    expect(COMMANDS.map((c) => c.name)).toEqual(
      expect.arrayContaining([
        'notify',
        'migrations',
        'db:integrity',
        'db:archive',
        'db:backup',
        'db:stats',
        'db:retention',
        'db:erase',
        'admin:grant',
        'admin:revoke',
        'delivery:resume',
        'gmail:auth',
      ]),
    );
    const runs = await Promise.all(COMMANDS.map(({ name }) => cli([name, '--help'])));
    expect(runs.find((_, i) => COMMANDS[i]!.name === 'db:stats')!.stdout).toContain('--remote            the deployed D1');
    runs.forEach((run, i) => {
      expect(run.code, run.stderr).toBe(0);
      expect(run.stdout).toContain(`npx astro-d1-notify ${COMMANDS[i]!.name}`);
    });
  }, 120_000); // each command is a process through tsx: seconds apiece on a loaded 2-core machine

  it('the help states the defaults the code uses', () => {
    const help = (name: string) => COMMANDS.find((c) => c.name === name)!.help;
    expect(help('db:archive')).toContain(`(default ${DEFAULT_ARCHIVE_MONTHS})`);
    expect(help('db:archive')).toContain(`${DEFAULT_ARCHIVE_BATCH_ROWS} rows per transaction by default (max ${MAX_ARCHIVE_BATCH_ROWS})`);
    expect(help('db:archive')).toContain(`older than ${PREVIEW_RETENTION_MONTHS} months`);
    expect(help('db:retention')).toContain(`(default ${DEFAULT_OUTBOX_DAYS};`);
    expect(help('db:backup')).toContain(`[--dir ${DEFAULT_BACKUP_DIR}] [--keep ${DEFAULT_KEEP}]`);
  });

  it('bad arguments exit 2 with one clear message and no stack trace', async () => {
    const cases: [string[], RegExp][] = [
      [[], /Usage: npx astro-d1-notify <command>/],
      [['nope'], /unknown command "nope"/],
      [['db:stats', '--bogus'], /Unknown option '--bogus'/],
      [['db:archive', '--months', '6; DROP TABLE users'], /--months must be a whole number/],
      [['admin:grant', 'not-an-address'], /not an email address/],
      [['notify', '--batch-size', '0'], /--batch-size must be a whole number/],
      [['notify', '--remote'], /--remote needs --url/],
      [['migrations', '--local', '--remote'], /--local or --remote, not both/],
      [['migrations', '--local', '--into', 'elsewhere'], /--into elsewhere is not the migrations folder of "DB"/],
      [['db:integrity', '--remote'], /CLOUDFLARE_ACCOUNT_ID is not set/],
      [['db:stats', '--config', 'missing.jsonc'], /Cannot read the wrangler config .*missing\.jsonc/],
      [['gmail:auth'], /say where the token goes: --local .*--remote .*--print/],
    ];
    const runs: Run[] = [];
    for (let i = 0; i < cases.length; i += 2) runs.push(...(await Promise.all(cases.slice(i, i + 2).map(([args]) => cli(args)))));
    runs.forEach((run, i) => {
      const [args, message] = cases[i]!;
      expect(run.code, `${args.join(' ')}: ${run.stderr}`).toBe(2);
      expect(run.stderr, args.join(' ')).toMatch(message);
      expect(run.stderr, args.join(' ')).not.toMatch(/^\s+at /m);
    });
  }, 240_000);

  it('notify --remote asks the deployed site with the bearer secret, and never prints the secret', async () => {
    const SECRET = 'process-secret-value-123';
    const seen: string[] = [];
    const server = createServer((req, res) => {
      seen.push(`${req.method} ${req.url} ${req.headers.authorization}`);
      // A misbehaving proxy that echoes the header it got into its error.
      if (req.url?.startsWith('/moved/')) res.writeHead(301, { location: 'https://elsewhere.example/' }).end();
      else if (req.url?.startsWith('/echo/'))
        res.writeHead(401, { 'content-type': 'application/json' }).end(JSON.stringify({ error: 'unauthorized', reason: `got ${req.headers.authorization}` }));
      else res.writeHead(200, { 'content-type': 'application/json' }).end('{"sent":3,"failed":0}');
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    try {
      const ok = await cli(['notify', '--remote', '--url', `${base}/newsletter/`], { PROCESS_SECRET: SECRET });
      expect(ok.code, ok.stderr).toBe(0);
      expect(JSON.parse(ok.stdout)).toEqual({ sent: 3, failed: 0 });
      expect(seen[0]).toBe(`POST /newsletter/api/notifications/process Bearer ${SECRET}`);
      const refused = await cli(['notify', '--remote', '--url', `${base}/echo`], { PROCESS_SECRET: SECRET });
      expect(refused.code).toBe(1);
      expect(refused.stderr).toMatch(/answered 401: unauthorized: got Bearer \[redacted\]/);
      expect(refused.stdout + refused.stderr).not.toContain(SECRET);
      const moved = await cli(['notify', '--remote', '--url', `${base}/moved`], { PROCESS_SECRET: SECRET });
      expect(moved.code).toBe(2);
      expect(moved.stderr).toMatch(/redirects \(301\) to https:\/\/elsewhere\.example\/: give --url the site's final address/);
    } finally {
      server.close();
    }
  }, 120_000); // each command is a process through tsx: seconds apiece on a loaded 2-core machine
});

describe('on the host project', () => {
  it('runs every command on its local D1, from the packed package', async () => {
    const first = await cli(['migrations', '--local']);
    expect(first.code, first.stderr).toBe(0);
    const copied = readdirSync(join(host, 'db/migrations')).sort();
    expect(copied[0]).toBe('0001_host_pages.sql');
    expect(copied[1]).toMatch(/^0002_astro_d1_notify_0001_/);
    const again = await cli(['migrations', '--local']);
    expect(again.stdout).toMatch(/0 migration\(s\) copied/);

    await withHostD1(async (d1) => {
      const db = drizzle(d1, { schema });
      await addReader(db, 'reader@example.org');
      await addReader(db, 'author@example.org');
      await addContent(db, { publishDate: '2026-11-01T10:00:00Z' });
    });
    expect(await one('SELECT count(*) AS n FROM host_pages')).toEqual({ n: 0 }); // the host's own table is there

    const notify = await cli(['notify']);
    expect(notify.code, notify.stderr).toBe(0);
    expect(notify.stdout).toMatch(/"sent": 2/);
    expect(await one('SELECT count(*) AS n FROM dev_mail_outbox')).toEqual({ n: 2 });

    await withHostD1((d1) =>
      d1
        .prepare(
          `INSERT INTO delivery_state (key, value, updated_at) VALUES ('bulk_pause', '{"paused":true,"since":"2026-11-30T00:00:00.000Z","reason":"test"}', 0)`,
        )
        .run(),
    );
    const integrity = await cli(['db:integrity']);
    expect(integrity.code, integrity.stdout).toBe(0);
    expect(integrity.stdout).toContain('local D1 "host-blog"');
    const stats = await cli(['db:stats', '--json']);
    expect(JSON.parse(stats.stdout).tables).toContainEqual({ table: 'users', rows: 2 });

    expect((await cli(['admin:grant', 'Author@Example.org'])).stdout).toMatch(/author@example\.org now has the admin role/);
    expect(await one("SELECT role FROM users WHERE email = 'author@example.org'")).toEqual({ role: 'admin' });
    expect((await cli(['admin:revoke', 'author@example.org'])).code).toBe(0);
    expect(await one("SELECT role FROM users WHERE email = 'author@example.org'")).toEqual({ role: 'reader' });

    expect((await cli(['delivery:resume'])).stdout).toMatch(/Bulk sending resumed .* paused since 2026-11-30T00:00:00.000Z: test/);
    expect(JSON.parse((await one<{ value: string }>("SELECT value FROM delivery_state WHERE key = 'bulk_pause'"))!.value)).toMatchObject({ paused: false });

    for (const args of [
      ['db:retention', '--outbox-days', '0'],
      ['db:archive', '--months', '1'],
      ['db:backup', '--dir', 'backups', '--keep', '1'],
    ]) {
      const run = await cli(args);
      expect(run.code, `${args[0]}: ${run.stderr}`).toBe(0);
    }
    expect(await one('SELECT count(*) AS n FROM dev_mail_outbox')).toEqual({ n: 0 });
    expect(readdirSync(join(host, 'backups'))).toEqual([expect.stringMatching(/^host-blog-local-\d{8}-\d{6}Z\.sql\.gz$/)]);

    const erase = await cli(['db:erase', 'reader@example.org']);
    expect(erase.code, erase.stderr).toBe(0);
    expect(await one("SELECT count(*) AS n FROM users WHERE email = 'reader@example.org'")).toEqual({ n: 0 });
  }, 480_000);

  it('admin:grant and delivery:resume work --remote, through the D1 HTTP API', async () => {
    const api = await startD1ApiStandIn();
    try {
      api.sqlite.exec("INSERT INTO users (id, email, email_verified) VALUES ('u1', 'author@example.org', 1)");
      api.sqlite.exec(`INSERT INTO delivery_state (key, value, updated_at) VALUES ('bulk_pause', '{"paused":true,"since":"x","reason":"r"}', 0)`);
      const env = {
        CLOUDFLARE_ACCOUNT_ID: api.accountId,
        CLOUDFLARE_API_TOKEN: api.token,
        CLOUDFLARE_D1_DATABASE_ID: api.databaseId,
        CLOUDFLARE_API_BASE_URL: api.apiBase,
      };
      const grant = await cli(['admin:grant', 'author@example.org', '--remote'], env);
      expect(grant.code, grant.stderr).toBe(0);
      expect(grant.stdout).toContain(`remote D1 ${api.databaseId}`);
      expect(api.sqlite.prepare("SELECT role FROM users WHERE id = 'u1'").get()).toEqual({ role: 'admin' });
      expect(api.sqlite.prepare('SELECT actor, action FROM admin_audit_log').all()).toEqual([{ actor: 'cli:admin:grant', action: 'role_granted' }]);
      expect((await cli(['delivery:resume', '--remote'], env)).code).toBe(0);
      expect(JSON.parse((api.sqlite.prepare("SELECT value FROM delivery_state WHERE key = 'bulk_pause'").get() as { value: string }).value)).toMatchObject({
        paused: false,
      });
    } finally {
      await api.close();
    }
  }, 240_000);
});
