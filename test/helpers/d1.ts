import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { drizzle } from 'drizzle-orm/d1';
import { getPlatformProxy, unstable_splitSqlQuery } from 'wrangler';
import * as schema from '../../db/schema';

export const ROOT = resolve(import.meta.dirname, '../..');
export const MIGRATIONS_DIR = join(ROOT, 'migrations');

export type TestD1 = {
  d1: D1Database;
  db: ReturnType<typeof drizzle<typeof schema>>;
  dispose: () => Promise<void>;
};

/** The statements of a SQL file, split the way wrangler splits migrations. */
export function splitSql(sqlText: string): string[] {
  return unstable_splitSqlQuery(sqlText)
    .map((s) => s.trim())
    .filter(Boolean);
}

export function migrationFiles(): string[] {
  return readdirSync(MIGRATIONS_DIR)
    .filter((f) => f.endsWith('.sql'))
    .sort();
}

export async function execStatements(d1: D1Database, statements: string[]): Promise<void> {
  if (statements.length === 0) return;
  await d1.batch(statements.map((s) => d1.prepare(s)));
}

export async function applyMigrations(d1: D1Database): Promise<void> {
  for (const file of migrationFiles()) {
    await execStatements(d1, splitSql(readFileSync(join(MIGRATIONS_DIR, file), 'utf8')));
  }
}

/**
 * A fresh local D1 (workerd's D1 through wrangler's platform proxy) in its own
 * temporary directory. With `migrate` (default) every migration is applied.
 */
export async function createTestD1(options: { migrate?: boolean } = {}): Promise<TestD1> {
  const persist = mkdtempSync(join(tmpdir(), 'd1-test-'));
  const proxy = await getPlatformProxy<{ DB: D1Database }>({
    configPath: join(ROOT, 'wrangler.jsonc'),
    persist: { path: persist },
  });
  const d1 = proxy.env.DB;
  if (options.migrate !== false) await applyMigrations(d1);
  return {
    d1,
    db: drizzle(d1, { schema }),
    dispose: async () => {
      await proxy.dispose();
      rmSync(persist, { recursive: true, force: true });
    },
  };
}
