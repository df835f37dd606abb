/**
 * `npx astro-d1-notify db:backup [--remote] [--dir backups] [--keep 30]`: `wrangler d1 export` of the
 * whole database (schema and data) to a timestamped, gzipped SQL file, keeping the newest
 * `keep` backups of that database and target. Restore: docs/operations.md.
 */
import { execFile } from 'node:child_process';
import { createReadStream, createWriteStream, mkdirSync, readdirSync, renameSync, rmSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { promisify } from 'node:util';
import { createGzip } from 'node:zlib';
import { readD1Binding } from '../registry/wrangler-config';
import { intFlag, parseFlags, resolveCliTarget, type CommandContext } from './db-target';
import { wranglerBin } from './store-secrets';

export const DEFAULT_BACKUP_DIR = 'backups';
export const DEFAULT_KEEP = 30;
const EXPORT_TIMEOUT_MS = 10 * 60 * 1000;

/** `astro-d1-notify-remote-20261130-153200Z.sql.gz`: sorts by time as a string. */
export function backupFileName(database: string, kind: 'local' | 'remote', at: Date): string {
  const stamp = at
    .toISOString()
    .replace(/\.\d{3}Z$/, 'Z')
    .replace(/[-:]/g, '')
    .replace('T', '-');
  return `${database}-${kind}-${stamp}.sql.gz`;
}

/** Deletes all but the newest `keep` backups of `database`/`kind` in `dir`; returns the deleted names. */
export function pruneBackups(dir: string, database: string, kind: 'local' | 'remote', keep: number): string[] {
  const escaped = database.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  const pattern = new RegExp(`^${escaped}-${kind}-\\d{8}-\\d{6}Z\\.sql\\.gz$`);
  const old = readdirSync(dir)
    .filter((f) => pattern.test(f))
    .sort()
    .reverse()
    .slice(keep);
  for (const f of old) rmSync(join(dir, f));
  return old;
}

const run = promisify(execFile);

export async function backupCommand(args: readonly string[], ctx: CommandContext, now = new Date()): Promise<number> {
  const flags = parseFlags(args, { dir: { type: 'string' }, keep: { type: 'string' } });
  const keep = intFlag(flags.keep, 'keep', DEFAULT_KEEP, 1, 10_000);
  const target = resolveCliTarget(flags, ctx.env, ctx.root); // checks the config and, for --remote, the credentials
  const configPath = resolve(ctx.root, flags.config ?? 'wrangler.jsonc');
  const binding = flags.binding ?? 'DB';
  const database = readD1Binding(configPath, binding).database_name ?? binding;
  const dir = resolve(ctx.root, flags.dir ?? DEFAULT_BACKUP_DIR);
  mkdirSync(dir, { recursive: true });
  const file = join(dir, backupFileName(database, target.kind, now));
  const sqlFile = `${file}.export.sql`;
  const partial = `${file}.partial`;
  const wrangler = wranglerBin();
  try {
    ctx.log(`Exporting ${target.label} …`);
    await run(process.execPath, [wrangler, 'd1', 'export', binding, `--${target.kind}`, '--output', sqlFile, '--config', configPath, '--skip-confirmation'], {
      cwd: ctx.root,
      env: { ...process.env, ...ctx.env },
      timeout: EXPORT_TIMEOUT_MS,
      maxBuffer: 16 * 1024 * 1024,
    }).catch((error: { stderr?: string; message: string }) => {
      throw new Error(`wrangler d1 export failed: ${(error.stderr || error.message).trim().split('\n').slice(-5).join('\n')}`);
    });
    await pipeline(createReadStream(sqlFile), createGzip(), createWriteStream(partial));
    renameSync(partial, file); // a backup file is complete or absent
  } finally {
    rmSync(sqlFile, { force: true });
    rmSync(partial, { force: true });
  }
  const pruned = pruneBackups(dir, database, target.kind, keep);
  ctx.log(
    `Backup written: ${file} (${statSync(file).size} bytes gzipped).${pruned.length ? ` Deleted ${pruned.length} older backup(s), keeping ${keep}.` : ''}`,
  );
  return 0;
}
