import { getPlatformProxy } from 'wrangler';
import type { BatchLimits, SqlExecutor, Statement } from './sql';

// Measured: a batch of 400 statements over wrangler's platform proxy drops the connection; 300 pass.
export const LOCAL_LIMITS: BatchLimits = { statements: 200, bytes: 4_000_000 };

/** A SqlExecutor over a D1 binding: one `all()` per query, one `batch()` (a transaction) per write. */
export function d1Executor(d1: D1Database, limits: BatchLimits = LOCAL_LIMITS): SqlExecutor {
  let roundTrips = 0;
  const prepare = (s: Statement) => d1.prepare(s.sql).bind(...s.params);
  return {
    limits,
    get roundTrips() {
      return roundTrips;
    },
    async query<T>(s: Statement) {
      roundTrips++;
      return (await prepare(s).all<T>()).results;
    },
    async batch(statements: Statement[]) {
      roundTrips++;
      const results = await d1.batch(statements.map(prepare));
      return results.map((r) => r.meta.changes ?? 0);
    },
  };
}

/**
 * The local D1 of `binding`: the SQLite state that `wrangler d1 migrations apply --local`
 * and `astro dev` use, through wrangler's public getPlatformProxy().
 */
export async function openLocalD1(options: {
  configPath: string;
  binding: string;
  persist: string;
}): Promise<{ db: SqlExecutor; dispose: () => Promise<void> }> {
  const proxy = await getPlatformProxy<Record<string, D1Database>>({
    configPath: options.configPath,
    persist: { path: options.persist },
  });
  const d1 = proxy.env[options.binding];
  if (!d1) {
    await proxy.dispose();
    throw new Error(`wrangler did not provide the D1 binding "${options.binding}"`);
  }
  return { db: d1Executor(d1), dispose: () => proxy.dispose() };
}
