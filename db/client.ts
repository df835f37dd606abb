import { drizzle, type DrizzleD1Database } from 'drizzle-orm/d1';
import * as schema from './schema';

export type Db = DrizzleD1Database<typeof schema>;

/** The one way to get a Drizzle handle: from a D1 binding (local workerd, remote, or a test's). */
export const createDb = (d1: D1Database): Db => drizzle(d1, { schema });
