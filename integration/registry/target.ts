import { resolve } from 'node:path';
import { AstroError } from 'astro/errors';
import { createD1HttpExecutor } from './d1-http';
import { openLocalD1 } from './local-d1';
import type { ResolvedOptions } from '../options';
import type { MeteredSqlRunner } from './sync';
import { readD1Binding } from './wrangler-config';

type TargetEnv = {
  CLOUDFLARE_ACCOUNT_ID?: string;
  CLOUDFLARE_API_TOKEN?: string;
};

export type Target =
  | { kind: 'local'; configPath: string; binding: string; persist: string; label: string }
  | { kind: 'remote'; apiBase: string; accountId: string; apiToken: string; databaseId: string; label: string };

const missing = (name: string, what: string) =>
  new AstroError(
    `${name} is not set: astro-d1-notify needs it to write to the remote D1 database.`,
    `Set ${name} to ${what}, or build with \`target: 'local'\` (CONTENT_SYNC_TARGET=local).`,
  );

/** Everything the sync needs, checked up front so a bad config fails before the build does its work. */
export function resolveTarget(options: ResolvedOptions, root: string, env: TargetEnv): Target {
  const configPath = resolve(root, options.wranglerConfig);
  if (options.target === 'local') {
    const d1 = readD1Binding(configPath, options.binding);
    const persist = resolve(root, options.persist);
    return { kind: 'local', configPath, binding: options.binding, persist, label: `local D1 "${d1.database_name ?? options.binding}" (${persist})` };
  }
  const accountId = env.CLOUDFLARE_ACCOUNT_ID?.trim();
  if (!accountId) throw missing('CLOUDFLARE_ACCOUNT_ID', 'your Cloudflare account id');
  const apiToken = env.CLOUDFLARE_API_TOKEN?.trim();
  if (!apiToken) throw missing('CLOUDFLARE_API_TOKEN', 'an API token with the "D1 Edit" permission');
  const databaseId = options.databaseId ?? readD1Binding(configPath, options.binding).database_id;
  if (!databaseId)
    throw missing('CLOUDFLARE_D1_DATABASE_ID', `the id of the D1 database (or set database_id of "${options.binding}" in ${options.wranglerConfig})`);
  return { kind: 'remote', apiBase: options.apiBase, accountId, apiToken, databaseId, label: `remote D1 ${databaseId}` };
}

export async function openTarget(target: Target): Promise<{ db: MeteredSqlRunner; dispose: () => Promise<void> }> {
  if (target.kind === 'local') return openLocalD1(target);
  return { db: createD1HttpExecutor(target), dispose: async () => {} };
}
