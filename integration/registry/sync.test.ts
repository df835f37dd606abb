import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createTestD1, type TestD1 } from '../../test/helpers/d1';
import { D1_MAX_PARAMS } from '../../db/params';
import { d1Runner } from '../../db/sql-runner';
import type { MeteredSqlRunner } from '../../db/sql-runner';
import { ROWS_PER_STATEMENT, detailLines, planSync, summaryLine, syncContent, upsertStatements, type ContentRecord } from './sync';

const watched = { collections: ['blog', 'thoughts'], types: ['blog', 'thought'] };

/** The test's one clock for "published": the build's time the baseline compares publish dates with. */
const AT = new Date('2026-11-30T12:00:00Z');
const record = (i: number, over: Partial<ContentRecord> = {}): ContentRecord => ({
  slug: `blog/post-${i}`,
  contentType: 'blog',
  title: `Post ${i}`,
  description: i % 2 ? `About ${i}` : null,
  contentPreview: `Preview of ${i}`,
  contentUrl: `https://example.com/blog/post-${i}`,
  publishDate: 1_780_000_000 + i,
  filePath: `src/content/blog/post-${i}.md`,
  contentHash: `hash-${i}`,
  tags: [`t${i % 3}`],
  emailHtml: `<p>Body of ${i}</p>`,
  emailText: `Body of ${i}`,
  author: null,
  heroImage: null,
  ...over,
});

type Row = Record<string, unknown>;

describe('upsertStatements', () => {
  it('keeps every statement within D1’s 100 bound parameters', () => {
    const statements = upsertStatements(Array.from({ length: 50 }, (_, i) => record(i)));
    expect(statements).toHaveLength(Math.ceil(50 / ROWS_PER_STATEMENT));
    for (const s of statements) {
      expect(s.params.length).toBeLessThanOrEqual(D1_MAX_PARAMS);
      expect(s.sql.split('?').length - 1).toBe(s.params.length);
      expect(s.sql).toContain('WHERE content_items.content_hash IS NOT excluded.content_hash');
    }
  });
});

describe('planSync', () => {
  it('sorts records into new, changed, unchanged and removed (watched types only)', () => {
    const existing = [
      { slug: 'blog/post-1', content_type: 'blog', content_hash: 'hash-1', content_url: record(1).contentUrl, file_path: record(1).filePath },
      { slug: 'blog/post-2', content_type: 'blog', content_hash: 'old', content_url: record(2).contentUrl, file_path: record(2).filePath },
      { slug: 'blog/post-3', content_type: 'blog', content_hash: 'hash-3', content_url: 'https://old.example/x', file_path: record(3).filePath },
      { slug: 'blog/gone', content_type: 'blog', content_hash: 'h', content_url: null, file_path: 'x' },
      { slug: 'announcements/other', content_type: 'announcement', content_hash: 'h', content_url: null, file_path: 'y' },
    ];
    const plan = planSync(existing, [record(1), record(2), record(3), record(4)], watched);
    expect(plan.added.map((r) => r.slug)).toEqual(['blog/post-4']);
    expect(plan.changed.map((r) => r.slug)).toEqual(['blog/post-2', 'blog/post-3']);
    expect(plan.unchanged).toBe(1);
    expect(plan.removed).toEqual(['blog/gone']);
  });
});

describe('syncContent on a real local D1', () => {
  let t: TestD1;
  beforeAll(async () => {
    t = await createTestD1();
  });
  afterAll(() => t?.dispose());
  beforeEach(async () => {
    await t.d1.exec('DELETE FROM content_items');
  });

  const rows = async () => (await t.d1.prepare('SELECT * FROM content_items ORDER BY slug').all<Row>()).results;

  it('inserts new rows unnotified, then re-syncs with no write at all', async () => {
    const records = Array.from({ length: 20 }, (_, i) => record(i));
    const db = d1Runner(t.d1);
    const first = await syncContent(db, records, watched);
    expect(first).toMatchObject({ unchanged: 0, rowsWritten: 20, statements: Math.ceil(20 / ROWS_PER_STATEMENT), roundTrips: 2 });
    expect(first.added).toHaveLength(20);
    const stored = await rows();
    expect(stored).toHaveLength(20);
    const r1 = stored.find((r) => r.slug === 'blog/post-1')!;
    expect(r1).toMatchObject({
      content_type: 'blog',
      title: 'Post 1',
      description: 'About 1',
      content_preview: 'Preview of 1',
      content_url: 'https://example.com/blog/post-1',
      publish_date: 1_780_000_001,
      file_path: 'src/content/blog/post-1.md',
      content_hash: 'hash-1',
      notification_sent: 0,
      notification_count: 0,
      tags: '["t1"]',
    });
    expect(typeof r1.id).toBe('string');

    const second = await syncContent(db, records, watched);
    expect(second).toMatchObject({ added: [], changed: [], unchanged: 20, removed: [], rowsWritten: 0, statements: 0, roundTrips: 1 });
    expect(await rows()).toEqual(stored);
  });

  it('updates only a changed row, keeps its id and notification state, and reports removals without deleting', async () => {
    const db = d1Runner(t.d1);
    await syncContent(db, [record(1), record(2), record(3)], watched);
    await t.d1.prepare("UPDATE content_items SET notification_sent = 1, notification_count = 7, updated_at = 1 WHERE slug = 'blog/post-2'").run();
    const before = await rows();

    const report = await syncContent(db, [record(1), record(2, { title: 'Post 2, revised', contentHash: 'hash-2b' })], watched);
    expect(report).toMatchObject({ unchanged: 1, removed: ['blog/post-3'], rowsWritten: 1 });
    expect(report.changed.map((r) => r.slug)).toEqual(['blog/post-2']);

    const after = await rows();
    expect(after).toHaveLength(3); // post-3 is reported, not deleted
    const b2 = before.find((r) => r.slug === 'blog/post-2')!;
    const a2 = after.find((r) => r.slug === 'blog/post-2')!;
    expect(a2).toMatchObject({ id: b2.id, title: 'Post 2, revised', content_hash: 'hash-2b', notification_sent: 1, notification_count: 7 });
    expect(a2.updated_at).toBeGreaterThan(1);
    expect(after.filter((r) => r.slug !== 'blog/post-2')).toEqual(before.filter((r) => r.slug !== 'blog/post-2'));
    expect(summaryLine(report)).toMatch(/^content: 0 new, 1 changed, 1 unchanged, 1 removed \(\d+ ms\)$/);
    expect(detailLines(report)).toEqual(['changed: blog/post-2', 'removed from the site (row kept in D1): blog/post-3']);
  });

  it('the upsert itself skips unchanged rows (a racing build sending the same rows writes nothing)', async () => {
    const records = Array.from({ length: 12 }, (_, i) => record(i));
    const first = await t.d1.batch(upsertStatements(records).map((s) => t.d1.prepare(s.sql).bind(...s.params)));
    expect(first.reduce((n, r) => n + r.meta.changes, 0)).toBe(12);
    const again = await t.d1.batch(upsertStatements(records).map((s) => t.d1.prepare(s.sql).bind(...s.params)));
    expect(again.reduce((n, r) => n + r.meta.changes, 0)).toBe(0);
    const one = upsertStatements([record(3, { contentHash: 'other' })])[0]!;
    expect(
      (
        await t.d1
          .prepare(one.sql)
          .bind(...one.params)
          .run()
      ).meta.changes,
    ).toBe(1);
  });

  it('baseline marks published unnotified entries notified in the same write, and leaves future-dated ones for the processor', async () => {
    const db = d1Runner(t.d1);
    const nowSeconds = Math.floor(AT.getTime() / 1000);
    await syncContent(db, [record(1, { publishDate: nowSeconds - 86_400 })], watched); // registered before, never notified
    const records = [
      record(1, { publishDate: nowSeconds - 86_400 }),
      record(2, { publishDate: nowSeconds - 3_600 }),
      record(3, { publishDate: nowSeconds + 86_400 }), // scheduled
    ];
    const report = await syncContent(db, records, watched, { baseline: true, at: AT });
    expect(report).toMatchObject({ rowsWritten: 2, baselined: 2, roundTrips: 2 });
    expect(summaryLine(report)).toMatch(/^content: 2 new, 0 changed, 1 unchanged, 0 removed, 2 baselined \(marked notified, no email\) \(\d+ ms\)$/);
    expect((await rows()).map((r) => [r.slug, r.notification_sent])).toEqual([
      ['blog/post-1', 1],
      ['blog/post-2', 1],
      ['blog/post-3', 0],
    ]);
    // Without the option nothing is baselined, and the summary keeps its usual form.
    const plain = await syncContent(db, [...records, record(4, { publishDate: nowSeconds - 60 })], watched);
    expect(plain.baselined).toBeNull();
    expect(summaryLine(plain)).not.toContain('baselined');
    expect((await rows()).find((r) => r.slug === 'blog/post-4')!.notification_sent).toBe(0);
  });

  it('dry run reads, reports and writes nothing', async () => {
    const db = d1Runner(t.d1);
    const report = await syncContent(db, [record(1), record(2)], watched, { dryRun: true });
    expect(report).toMatchObject({ dryRun: true, rowsWritten: 0, statements: 0, roundTrips: 1 });
    expect(report.added).toHaveLength(2);
    expect(summaryLine(report)).toMatch(/^content \(dry run, nothing written\): 2 new/);
    expect(await rows()).toEqual([]);
  });

  it('leaves content_items as it was when a statement of the batch fails', async () => {
    const db = d1Runner(t.d1);
    await syncContent(db, [record(1)], watched);
    const before = await rows();
    // 30 records: the last statement violates the content_type check, after two good ones.
    const records = Array.from({ length: 30 }, (_, i) => record(i, i === 29 ? { contentType: 'podcast' as never } : {}));
    await expect(syncContent(db, records, watched)).rejects.toThrow(/CHECK constraint/i);
    expect(await rows()).toEqual(before);
  });

  const stagingTables = async () => (await t.d1.prepare("SELECT name FROM sqlite_master WHERE name LIKE '_content_sync_%'").all()).results;
  const small = { statements: 2, bytes: 1_000_000 };

  it('stages a write too large for one batch and applies it in one statement', async () => {
    const db = d1Runner(t.d1, small);
    const records = Array.from({ length: 30 }, (_, i) => record(i));
    const report = await syncContent(db, records, watched);
    // The load statements in batches of one (plus CREATE), then apply + drop: 1 read + loads + 1 round trips.
    const loads = Math.ceil(30 / ROWS_PER_STATEMENT);
    expect(report).toMatchObject({ staged: true, rowsWritten: 30, statements: loads + 3, roundTrips: loads + 2 });
    expect(await rows()).toHaveLength(30);
    expect(await stagingTables()).toEqual([]);
    const again = await syncContent(db, records, watched);
    expect(again).toMatchObject({ unchanged: 30, rowsWritten: 0, roundTrips: 1 });
  });

  it('a staged write applies the baseline in its final transaction', async () => {
    const db = d1Runner(t.d1, small);
    const report = await syncContent(
      db,
      Array.from({ length: 30 }, (_, i) => record(i)),
      watched,
      { baseline: true, at: AT },
    );
    expect(report).toMatchObject({ staged: true, rowsWritten: 30, baselined: 30 });
    expect((await rows()).every((r) => r.notification_sent === 1)).toBe(true);
    expect(await stagingTables()).toEqual([]);
  });

  it('a staged write that fails at any step leaves content_items as it was and no staging table', async () => {
    await syncContent(d1Runner(t.d1), [record(1)], watched);
    const before = await rows();
    // The final INSERT … SELECT violates the check (the staging table has none).
    const bad = Array.from({ length: 30 }, (_, i) => record(i, i === 29 ? { contentType: 'podcast' as never } : {}));
    await expect(syncContent(d1Runner(t.d1, small), bad, watched)).rejects.toThrow(/CHECK constraint/i);
    expect(await rows()).toEqual(before);
    expect(await stagingTables()).toEqual([]);

    // The connection drops while loading the staging table.
    const real = d1Runner(t.d1, small);
    let batches = 0;
    const flaky: MeteredSqlRunner = {
      limits: real.limits,
      get roundTrips() {
        return real.roundTrips;
      },
      query: (s) => real.query(s),
      batch: (s) => (++batches === 2 ? Promise.reject(new Error('connection reset')) : real.batch(s)),
    };
    const good = Array.from({ length: 30 }, (_, i) => record(i, { contentHash: `new-${i}` }));
    await expect(syncContent(flaky, good, watched)).rejects.toThrow('connection reset');
    expect(await rows()).toEqual(before);
    expect(await stagingTables()).toEqual([]);
  });
});

describe('syncContent on a database without migrations', () => {
  it('fails with a hint to run the migrations', async () => {
    const t = await createTestD1({ migrate: false });
    try {
      await expect(syncContent(d1Runner(t.d1), [record(1)], watched)).rejects.toMatchObject({
        message: expect.stringContaining('no content_items table'),
        hint: expect.stringContaining('npx astro-d1-notify migrations --local'),
      });
    } finally {
      await t.dispose();
    }
  });
});
