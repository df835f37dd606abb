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

  it("describes the spec's nine tables plus rate_limits", () => {
    expect(Object.keys(expected).sort()).toEqual([
      'content_items',
      'dev_mail_outbox',
      'email_notification_history',
      'email_notifications',
      'email_statistics',
      'email_templates',
      'rate_limits',
      'send_allowance',
      'sessions',
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

  it('detects a drift (an index and a default that differ)', async () => {
    const drifted = await createTestD1();
    try {
      await drifted.d1.exec('DROP INDEX idx_email_notifications_claimable');
      const shape = await introspect(drifted.d1);
      expect(shape.email_notifications!.indexes).not.toEqual(expected.email_notifications!.indexes);
    } finally {
      await drifted.dispose();
    }
  });
});

describe('drizzle-kit snapshot', () => {
  it('the latest snapshot in migrations/meta matches db/schema, so `npm run db:generate` starts from the truth', async () => {
    const { readFileSync, readdirSync } = await import('node:fs');
    const { join } = await import('node:path');
    const { MIGRATIONS_DIR } = await import('./helpers/d1');
    const meta = join(MIGRATIONS_DIR, 'meta');
    const latest = readdirSync(meta).filter((f) => f.endsWith('_snapshot.json')).sort().at(-1)!;
    const snapshot = JSON.parse(readFileSync(join(meta, latest), 'utf8'));
    const current = await generateSQLiteDrizzleJson(schema as Record<string, unknown>);
    expect(await generateSQLiteMigration(snapshot, current)).toEqual([]);
  });
});
