/**
 * `npx astro-d1-notify migrations [--local | --remote]`: copies the package's SQL migrations into
 * the host's own migrations folder (migrations.mjs: numbered after the host's, never twice), then,
 * with --local or --remote, applies them with `wrangler d1 migrations apply`. The folder is the
 * binding's `migrations_dir` in the wrangler config (wrangler's own default: migrations/).
 */
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { readD1Binding } from '../registry/wrangler-config';
import { parseFlags, UsageError, type CommandContext } from './db-target';
import { wranglerBin } from './store-secrets';
import { runMigrationsCommand } from './migrations.mjs';

export async function migrationsCommand(args: readonly string[], ctx: CommandContext): Promise<number> {
  const flags = parseFlags(args, { into: { type: 'string' }, 'dry-run': { type: 'boolean' } });
  if (flags.local && flags.remote) throw new UsageError('Use --local or --remote, not both.');
  const config = resolve(ctx.root, flags.config ?? 'wrangler.jsonc');
  const binding = flags.binding ?? 'DB';
  const apply = flags.local ? 'local' : flags.remote ? 'remote' : undefined;
  // The config decides the folder when it exists; applying needs it.
  const d1 = existsSync(config) || apply || flags.config ? readD1Binding(config, binding) : undefined;
  const into = flags.into ?? (d1?.migrations_dir ? join(dirname(config), d1.migrations_dir) : join(ctx.root, 'migrations'));
  if (flags.into && d1 && apply && resolve(ctx.root, flags.into) !== resolve(dirname(config), d1.migrations_dir ?? 'migrations')) {
    throw new UsageError(
      `--into ${flags.into} is not the migrations folder of "${binding}" in ${config}, so wrangler would not apply them: drop --into or set migrations_dir.`,
    );
  }
  const copied = runMigrationsCommand(['--into', resolve(ctx.root, into), ...(flags['dry-run'] ? ['--dry-run'] : [])], ctx.root, {
    log: (line: string) =>
      ctx.log(line.replace(/ Apply them with: .*$/, apply ? '' : ' Apply them with: npx astro-d1-notify migrations --local (then --remote)')),
    error: (line: string) => ctx.log(line),
  });
  if (copied !== 0 || !apply || flags['dry-run']) return copied;
  const wrangler = wranglerBin();
  return new Promise((done, fail) => {
    const child = spawn(process.execPath, [wrangler, 'd1', 'migrations', 'apply', binding, `--${apply}`, '--config', config], {
      cwd: ctx.root,
      env: { ...process.env, ...ctx.env },
      stdio: ['inherit', 'inherit', 'inherit'],
    });
    child.on('error', fail);
    child.on('exit', (code) => done(code === 0 ? 0 : 1));
  });
}
