/**
 * The small query interface the maintenance commands (db/integrity.ts, db/archive.ts,
 * db/retention.ts, db/db-stats.ts) run on: a Worker's D1 binding (`d1Runner`), local D1
 * through wrangler, and the D1 HTTP API (integration/registry/d1-http.ts) all provide it, so the
 * CLI, the Cron Trigger and the tests run the very same SQL.
 */
import { createDb, type Db } from './client';

export type SqlValue = string | number | null;
export type SqlStatement = { sql: string; params: SqlValue[] };

export interface SqlRunner {
  /** One read statement; rows as objects. */
  query<T = Record<string, unknown>>(statement: SqlStatement): Promise<T[]>;
  /** Statements as one transaction (a D1 batch); rows changed per statement. */
  batch(statements: SqlStatement[]): Promise<number[]>;
}

export const stmt = (sql: string, ...params: SqlValue[]): SqlStatement => ({ sql, params });

/** A D1 binding as a SqlRunner (the Worker's cron; tests). */
export function d1Runner(d1: D1Database): SqlRunner {
  const prepare = (s: SqlStatement) => d1.prepare(s.sql).bind(...s.params);
  return {
    async query<T>(s: SqlStatement) {
      return (await prepare(s).all<T>()).results;
    },
    async batch(statements: SqlStatement[]) {
      if (statements.length === 0) return [];
      const results = await d1.batch(statements.map(prepare));
      return results.map((r) => r.meta.changes ?? 0);
    },
  };
}

/**
 * A Drizzle handle that only builds SQL and never runs it (its client is empty), so the
 * queries of the data-access functions can run on a SqlRunner through `toStatement`.
 */
export const sqlOnlyDb: Db = createDb({} as D1Database);

/** A Drizzle query as a statement, its values mapped as Drizzle maps them (dates to seconds). */
export function toStatement(query: { toSQL(): { sql: string; params: unknown[] } }): SqlStatement {
  const { sql, params } = query.toSQL();
  return { sql, params: params as SqlValue[] };
}
