/**
 * The one small query interface raw SQL runs on: the maintenance commands (db/maintenance/integrity.ts,
 * db/content/archive.ts, db/maintenance/stats.ts…) and the build's content sync (integration/registry/). A Worker's
 * D1 binding (`d1Runner`), local D1 through wrangler, and the D1 HTTP API
 * (integration/registry/d1-http.ts) all provide it, so the CLI, the Cron Trigger, the build and the
 * tests run the very same SQL.
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

/** The largest batch a target runs in one go. */
export type BatchLimits = { statements: number; bytes: number };

/** A runner that also says how large a batch it takes and counts its requests (the content sync splits and reports by them). */
export interface MeteredSqlRunner extends SqlRunner {
  /** Requests made so far (one per query or batch). */
  readonly roundTrips: number;
  readonly limits: BatchLimits;
}

// Measured: a batch of 400 statements over wrangler's platform proxy drops the connection; 300 pass.
export const BINDING_LIMITS: BatchLimits = { statements: 200, bytes: 4_000_000 };

export const stmt = (sql: string, ...params: SqlValue[]): SqlStatement => ({ sql, params });

/** A D1 binding as a SqlRunner (the Worker's cron, local D1 at build, tests): one `all()` per query, one `batch()` (a transaction) per write. */
export function d1Runner(d1: D1Database, limits: BatchLimits = BINDING_LIMITS): MeteredSqlRunner {
  let roundTrips = 0;
  const prepare = (s: SqlStatement) => d1.prepare(s.sql).bind(...s.params);
  return {
    limits,
    get roundTrips() {
      return roundTrips;
    },
    async query<T>(s: SqlStatement) {
      roundTrips++;
      return (await prepare(s).all<T>()).results;
    },
    async batch(statements: SqlStatement[]) {
      if (statements.length === 0) return [];
      roundTrips++;
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
