/**
 * What every `npm run db:*` maintenance command shares: `--local` (default) or `--remote`,
 * the integration's own target resolution (integration/registry/target.ts: wrangler.jsonc's DB
 * binding, CLOUDFLARE_* env vars) and its clients (local D1 through wrangler, or the D1
 * HTTP API with retries), and an exit code instead of a stack trace.
 */
import { realpathSync } from 'node:fs';
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

/** A whole number flag within [min, max], or the default. */
export function intFlag(value: string | boolean | undefined, name: string, fallback: number, min: number, max: number): number {
  if (value === undefined) return fallback;
  const n = Number(value);
  if (typeof value !== 'string' || !/^\d+$/.test(value.trim()) || n < min || n > max) {
    throw new UsageError(`--${name} must be a whole number from ${min} to ${max}, got ${JSON.stringify(value)}`);
  }
  return n;
}

export function resolveCliTarget(values: { local?: boolean; remote?: boolean; config?: string }, env: TargetEnv, root = process.cwd()): Target {
  if (values.local && values.remote) throw new UsageError('Use --local or --remote, not both.');
  const target = values.remote ? 'remote' : 'local';
  if (target === 'remote') {
    for (const name of ['CLOUDFLARE_ACCOUNT_ID', 'CLOUDFLARE_API_TOKEN'] as const) {
      if (!env[name]?.trim()) throw new UsageError(`${name} is not set: --remote needs it (an API token with "D1 Edit" for the account).`);
    }
  }
  const options = parseOptions(
    { target, ...(values.config && { wranglerConfig: values.config }) },
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

/** Runs a command's main and turns what it returns or throws into the process exit code. */
export function runCli(main: () => Promise<number>): void {
  main().then(
    (code) => {
      process.exitCode = code;
    },
    (error: unknown) => {
      const e = error as Error & { hint?: string };
      console.error(e instanceof UsageError ? `Usage: ${e.message}` : `Error: ${e?.message ?? String(error)}`);
      if (e?.hint) console.error(e.hint);
      process.exitCode = e instanceof UsageError || e instanceof RangeError ? 2 : 1;
    },
  );
}

/** What a command gets besides its arguments (tests pass their own). */
export type CommandContext = {
  env: TargetEnv & Record<string, string | undefined>;
  /** The project root: wrangler.jsonc and `.wrangler/state` are found from here. */
  root: string;
  log: (line: string) => void;
};

export const processContext = (): CommandContext => ({ env: process.env, root: process.cwd(), log: (line) => console.log(line) });

/** True when this module is the script node was started with (not imported by a test). */
export const isMain = (metaUrl: string) => process.argv[1] !== undefined && new URL(metaUrl).pathname === realpathOf(process.argv[1]);
const realpathOf = (path: string) => {
  try {
    return realpathSync(path);
  } catch {
    return path;
  }
};
