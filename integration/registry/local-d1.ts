import { getPlatformProxy } from 'wrangler';
import { BINDING_LIMITS, d1Runner, type BatchLimits } from '../../db/sql-runner';
import type { MeteredSqlRunner } from '../../db/sql-runner';

export const LOCAL_LIMITS: BatchLimits = BINDING_LIMITS;

/**
 * The local D1 of `binding`: the SQLite state that `wrangler d1 migrations apply --local`
 * and `astro dev` use, through wrangler's public getPlatformProxy().
 */
export async function openLocalD1(options: {
  configPath: string;
  binding: string;
  persist: string;
}): Promise<{ db: MeteredSqlRunner; dispose: () => Promise<void> }> {
  const proxy = await getPlatformProxy<Record<string, D1Database>>({
    configPath: options.configPath,
    persist: { path: options.persist },
  });
  const d1 = proxy.env[options.binding];
  if (!d1) {
    await proxy.dispose();
    throw new Error(`wrangler did not provide the D1 binding "${options.binding}"`);
  }
  return { db: d1Runner(d1, LOCAL_LIMITS), dispose: () => proxy.dispose() };
}
