import { drizzle, type DrizzleD1Database } from 'drizzle-orm/d1';
import * as schema from './schema';

export type Db = DrizzleD1Database<typeof schema>;

/** The one way to get a Drizzle handle: from a D1 binding (local workerd, remote, or a test's). */
export const createDb = (d1: D1Database): Db => drizzle(d1, { schema });

/**
 * The D1 binding under a Drizzle handle, for raw set-based SQL: drizzle 0.45's d1 batch()
 * cannot run raw `sql` queries with parameters.
 */
export const d1Of = (db: Db): D1Database => (db as unknown as { $client: D1Database }).$client;

/** A Drizzle builder query as a D1 statement, so it can share a raw `batch()`. */
export function statementOf(d1: D1Database, query: { toSQL(): { sql: string; params: unknown[] } }): D1PreparedStatement {
  const { sql, params } = query.toSQL();
  return d1.prepare(sql).bind(...params);
}
