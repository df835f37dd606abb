import { sql } from 'drizzle-orm';
import { integer } from 'drizzle-orm/sqlite-core';

// Every timestamp is integer Unix seconds (ARCHITECTURE.md, "Time").
export const unixNow = sql`(unixepoch())`;

export const createdAt = () => integer('created_at', { mode: 'timestamp' }).notNull().default(unixNow);
export const updatedAt = () => integer('updated_at', { mode: 'timestamp' }).notNull().default(unixNow);
export const flag = (name: string) => integer(name, { mode: 'boolean' }).notNull().default(false);

export const CONTENT_TYPES = ['blog', 'thought', 'announcement'] as const;
export type ContentType = (typeof CONTENT_TYPES)[number];

/** `col IN ('a','b')` for check constraints; values are constants of this module, never input. */
export const oneOf = (column: string, values: readonly string[]) => sql.raw(`${column} IN (${values.map((v) => `'${v}'`).join(', ')})`);
