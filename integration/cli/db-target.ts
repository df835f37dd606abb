/**
 * What every `npx astro-d1-notify` command on the database shares: `--local` (default) or
 * `--remote`, `--config` and `--binding`, the integration's own target resolution
 * (integration/registry/target.ts: the wrangler config's D1 binding, CLOUDFLARE_* env vars) and
 * its clients (local D1 through wrangler, or the D1 HTTP API with retries), and an exit code
 * instead of a stack trace (integration/cli/bin.mjs prints what a command throws).
 */
import { parseArgs } from 'node:util';
import { parseOptions } from '../options';
import { openTarget, resolveTarget, type Target } from '../registry/target';
import type { SqlRunner } from '../../db/sql-runner';

export type TargetEnv = {
  CLOUDFLARE_ACCOUNT_ID?: string;
  CLOUDFLARE_API_TOKEN?: string;
  CLOUDFLARE_D1_DATABASE_ID?: string;
  CLOUDFLARE_API_BASE_URL?: string;
};

/** A usage error: printed without a stack trace, exit code 2. */
export class UsageError extends Error {
  override name = 'UsageError';
}

export const TARGET_FLAGS = {
  local: { type: 'boolean' },
  remote: { type: 'boolean' },
  config: { type: 'string' },
  binding: { type: 'string' },
  help: { type: 'boolean', short: 'h' },
} as const;

type Flags = Record<string, { type: 'boolean' | 'string'; short?: string }>;

/** Strict flag parsing: an unknown flag or a stray argument is a UsageError naming it. */
export function parseFlags<F extends Flags>(args: readonly string[], flags: F) {
  try {
    return parseArgs({ args: [...args], options: { ...TARGET_FLAGS, ...flags }, strict: true, allowPositionals: false }).values;
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
}

/** Strict flags plus exactly one email address (erase, admin:grant, admin:revoke). */
export function parseEmailArgs<F extends Flags>(args: readonly string[], flags: F, usage: string) {
  let parsed: ReturnType<typeof parseArgs>;
  try {
    parsed = parseArgs({ args: [...args], options: { ...TARGET_FLAGS, ...flags }, strict: true, allowPositionals: true });
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
  const values = parsed.values as { help?: boolean; local?: boolean; remote?: boolean; config?: string; binding?: string };
  if (parsed.positionals.length !== 1) throw new UsageError(`give exactly one email address: ${usage}`);
  const raw = parsed.positionals[0]!;
  // eslint-disable-next-line no-control-regex
  if (raw.length > 320 || /[\u0000-\u001f\u007f]/.test(raw) || !raw.includes('@')) throw new UsageError('that is not an email address');
  return { values, email: raw };
}

/** A whole number flag within [min, max], or the default. */
export function intFlag(value: string | boolean | undefined, name: string, fallback: number, min: number, max: number): number {
  if (value === undefined) return fallback;
  const n = Number(value);
  if (typeof value !== 'string' || !/^\d+$/.test(value.trim()) || n < min || n > max) {
    throw new UsageError(`--${name} must be a whole number from ${min} to ${max}, got ${JSON.stringify(value)}`);
  }
  return n;
}

type TargetValues = { local?: boolean; remote?: boolean; config?: string; binding?: string };

export function resolveCliTarget(values: TargetValues, env: TargetEnv, root = process.cwd()): Target {
  if (values.local && values.remote) throw new UsageError('Use --local or --remote, not both.');
  const target = values.remote ? 'remote' : 'local';
  if (target === 'remote') {
    for (const name of ['CLOUDFLARE_ACCOUNT_ID', 'CLOUDFLARE_API_TOKEN'] as const) {
      if (!env[name]?.trim()) throw new UsageError(`${name} is not set: --remote needs it (an API token with "D1 Edit" for the account).`);
    }
  }
  const options = parseOptions(
    { target, ...(values.config && { wranglerConfig: values.config }), ...(values.binding && { binding: values.binding }) },
    { CLOUDFLARE_API_BASE_URL: env.CLOUDFLARE_API_BASE_URL, CLOUDFLARE_D1_DATABASE_ID: env.CLOUDFLARE_D1_DATABASE_ID },
  );
  return resolveTarget(options, root, env);
}

/** Opens the target, runs `fn`, always closes it (local D1 runs a workerd process). */
export async function withTarget<T>(target: Target, fn: (db: SqlRunner) => Promise<T>): Promise<T> {
  const { db, dispose } = await openTarget(target);
  try {
    return await fn(db);
  } finally {
    await dispose();
  }
}

/** What a command gets besides its arguments (tests pass their own). */
export type CommandContext = {
  env: TargetEnv & Record<string, string | undefined>;
  /** The project root: wrangler.jsonc and `.wrangler/state` are found from here. */
  root: string;
  log: (line: string) => void;
};
