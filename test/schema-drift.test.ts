import { isDeepStrictEqual } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateSQLiteDrizzleJson, generateSQLiteMigration } from 'drizzle-kit/api';
import * as schema from '../db/schema';
import { createTestD1, execStatements, type TestD1 } from './helpers/d1';
import { introspect, type SchemaShape } from './helpers/introspect';

// Applying migrations/ in order must give exactly the schema that db/ describes.
// The right-hand side is what drizzle-kit would create from db/schema on an empty database.
async function schemaFromDrizzle(d1: D1Database): Promise<SchemaShape> {
  const empty = await generateSQLiteDrizzleJson({});
  const current = await generateSQLiteDrizzleJson(schema as Record<string, unknown>);
  const statements = await generateSQLiteMigration(empty, current);
  await execStatements(d1, statements);
  return introspect(d1);
}

describe('migrations/ against db/schema', () => {
  let migrated: TestD1;
  let fromSchema: TestD1;
  let expected: SchemaShape;

  beforeAll(async () => {
    [migrated, fromSchema] = await Promise.all([createTestD1(), createTestD1({ migrate: false })]);
    expected = await schemaFromDrizzle(fromSchema.d1);
  });
  afterAll(async () => {
    await Promise.all([migrated?.dispose(), fromSchema?.dispose()]);
  });

  it("describes the original system's nine tables plus the tables this design adds", () => {
    expect(Object.keys(expected).sort()).toEqual([
      'account_tokens',
      'admin_audit_log',
      'consent_texts',
      'consents',
      'content_items',
      'delivery_state',
      'dev_mail_outbox',
      'email_notification_history',
      'email_notification_history_archive',
      'email_notifications',
      'email_statistics',
      'email_template_versions',
      'email_templates',
      'provider_events',
      'rate_limits',
      'send_allowance',
      'sessions',
      'suppressions',
      'unsubscribe_tokens',
      'user_profiles',
      'users',
    ]);
  });

  it('has no drift: tables, columns, types, defaults, indexes, foreign keys and checks match', async () => {
    expect(await introspect(migrated.d1)).toEqual(expected);
  });

  it('detects a drift (a column the schema does not have)', async () => {
    const drifted = await createTestD1();
    try {
      await drifted.d1.exec('ALTER TABLE users ADD COLUMN nickname text');
      expect(await introspect(drifted.d1)).not.toEqual(expected);
    } finally {
      await drifted.dispose();
    }
  });

  // Each drift on its own must be caught by the same comparison the no-drift test makes.
  async function shapeAfter(...statements: string[]): Promise<SchemaShape> {
    const drifted = await createTestD1();
    try {
      await execStatements(drifted.d1, statements);
      return await introspect(drifted.d1);
    } finally {
      await drifted.dispose();
    }
  }
  const differingParts = (shape: SchemaShape) =>
    Object.keys(expected).flatMap((table) =>
      (['columns', 'indexes', 'foreignKeys', 'checks'] as const)
        .filter((part) => !isDeepStrictEqual(shape[table]?.[part], expected[table]![part]))
        .map((part) => `${table}.${part}`),
    );

  it('detects a drift (an index and a default that differ), each on its own', async () => {
    const noIndex = await shapeAfter('DROP INDEX idx_email_notifications_claimable');
    expect(noIndex).not.toEqual(expected);
    expect(differingParts(noIndex)).toEqual(['email_notifications.indexes']);

    // SQLite cannot ALTER a default: rebuild rate_limits (no other indexes, no foreign keys) with DEFAULT 1.
    const otherDefault = await shapeAfter(
      'DROP TABLE rate_limits',
      'CREATE TABLE rate_limits (bucket text NOT NULL, window_start integer NOT NULL, count integer DEFAULT 1 NOT NULL, PRIMARY KEY(bucket, window_start))',
    );
    expect(otherDefault).not.toEqual(expected);
    expect(differingParts(otherDefault)).toEqual(['rate_limits.columns']);
    expect(expected.rate_limits!.columns.count).toContain('default=0');
    expect(otherDefault.rate_limits!.columns.count).toContain('default=1');
  });
});

describe('drizzle-kit snapshot', () => {
  it('the latest snapshot in migrations/meta matches db/schema, so `npm run db:generate` starts from the truth', async () => {
    const { readFileSync, readdirSync } = await import('node:fs');
    const { join } = await import('node:path');
    const { MIGRATIONS_DIR } = await import('./helpers/d1');
    const meta = join(MIGRATIONS_DIR, 'meta');
    const latest = readdirSync(meta)
      .filter((f) => f.endsWith('_snapshot.json'))
      .sort()
      .at(-1)!;
    const snapshot = JSON.parse(readFileSync(join(meta, latest), 'utf8'));
    const current = await generateSQLiteDrizzleJson(schema as Record<string, unknown>);
    expect(await generateSQLiteMigration(snapshot, current)).toEqual([]);
  });
});
