/**
 * The integration's content registration in real `astro build` runs of the fixture site
 * (three posts, one draft, one future-dated post, one thought) against a fresh
 * local D1, then against the D1 HTTP API stand-in.
 */
import { existsSync, mkdtempSync, readFileSync, rmSync, unlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { startD1ApiStandIn, type D1ApiStandIn } from './helpers/d1-api-standin';
import { buildFixture, copyFixture, migrateLocalD1, openLocalD1 } from './helpers/fixture-build';

type Row = Record<string, unknown>;
const SITE = 'https://fixture.example';
const collections = { blog: 'blog', thoughts: 'thought' } as const;
const summary = (log: string[]) => log.find((l) => l.startsWith('content'));

describe('astro build → local D1', () => {
  let fixture: ReturnType<typeof copyFixture>;
  let persist: string;
  const rows = async (): Promise<Row[]> => {
    const local = await openLocalD1(fixture.root, persist);
    try {
      return (await local.d1.prepare('SELECT * FROM content_items ORDER BY slug').all<Row>()).results;
    } finally {
      await local.dispose();
    }
  };
  const sql = async (statement: string) => {
    const local = await openLocalD1(fixture.root, persist);
    await local.d1.prepare(statement).run();
    await local.dispose();
  };

  beforeAll(async () => {
    fixture = copyFixture();
    persist = mkdtempSync(join(tmpdir(), 'content-build-d1-'));
    await migrateLocalD1(fixture.root, persist);
  });
  afterAll(() => {
    fixture?.dispose();
    rmSync(persist, { recursive: true, force: true });
  });

  it('registers the posts, the future-dated post and the thought, skips the draft, and deploys no registry', async () => {
    const { log, error } = await buildFixture(fixture.root, { collections, persist });
    expect(error).toBeUndefined();
    expect(summary(log)).toMatch(/^content: 5 new, 0 changed, 0 unchanged, 0 removed, 1 draft skipped \(\d+ ms\)$/);
    expect(log.filter((l) => l.startsWith('new: '))).toEqual([
      'new: blog/first-post "First post" (2026-01-10)',
      'new: blog/future-post "A post from the future" (2099-01-01)',
      'new: blog/second-post "Second post" (2026-02-01)',
      'new: blog/third-post "Third post" (2026-02-15)',
      'new: thoughts/small-thought "A small thought" (2026-01-20)',
    ]);
    expect(existsSync(join(fixture.root, 'dist/client/__content-registry.json'))).toBe(false);

    const stored = await rows();
    expect(stored.map((r) => r.slug)).toEqual(['blog/first-post', 'blog/future-post', 'blog/second-post', 'blog/third-post', 'thoughts/small-thought']);
    expect(stored[0]).toMatchObject({
      content_type: 'blog',
      title: 'First post',
      description: 'The first post of the fixture.',
      content_preview: 'This is the first post. It links to the docs and has code. A heading one two',
      content_url: `${SITE}/blog/first-post`,
      publish_date: Date.UTC(2026, 0, 10) / 1000,
      file_path: 'src/content/blog/first-post.md',
      notification_sent: 0,
      notification_count: 0,
      tags: '["meta","intro"]',
    });
    expect(stored[0]!.content_hash).toMatch(/^[0-9a-f]{64}$/);
    expect(stored[1]).toMatchObject({ publish_date: Date.UTC(2099, 0, 1) / 1000, notification_sent: 0 });
    expect(stored[2]).toMatchObject({ description: null, tags: '["writing"]' });
    expect(stored[4]).toMatchObject({ content_type: 'thought', content_url: `${SITE}/thoughts/small-thought` });
  });

  it('a second build writes no row', async () => {
    const before = await rows();
    // Timestamps are in seconds: make sure a write would show in updated_at.
    await new Promise((r) => setTimeout(r, 1100));
    const { log, error } = await buildFixture(fixture.root, { collections, persist });
    expect(error).toBeUndefined();
    expect(summary(log)).toMatch(/^content: 0 new, 0 changed, 5 unchanged, 0 removed/);
    expect(log.filter((l) => l.startsWith('new: '))).toEqual([]);
    expect(await rows()).toEqual(before);
  });

  it('editing one post updates exactly that row (not re-notified); removing one reports it and keeps the row', async () => {
    await sql("UPDATE content_items SET notification_sent = 1, notification_count = 3, updated_at = 1 WHERE slug = 'blog/first-post'");
    const before = await rows();
    const post = join(fixture.root, 'src/content/blog/first-post.md');
    writeFileSync(post, readFileSync(post, 'utf8').replace('This is the **first** post.', 'This is the **first** post, revised.'));
    unlinkSync(join(fixture.root, 'src/content/blog/second-post.md'));

    const { log, error } = await buildFixture(fixture.root, { collections, persist });
    expect(error).toBeUndefined();
    expect(summary(log)).toMatch(/^content: 0 new, 1 changed, 3 unchanged, 1 removed/);
    expect(log).toContain('removed from the site (row kept in D1): blog/second-post');

    const after = await rows();
    expect(after.map((r) => r.slug)).toEqual(before.map((r) => r.slug));
    const [was, now] = [before[0]!, after[0]!];
    expect(now).toMatchObject({ id: was.id, notification_sent: 1, notification_count: 3, created_at: was.created_at });
    expect(now.content_hash).not.toBe(was.content_hash);
    expect(now.content_preview).toContain('first post, revised.');
    expect(now.updated_at).toBeGreaterThan(1);
    expect(after.slice(1)).toEqual(before.slice(1));
  });

  it('fails fast with a hint when there is no site URL', async () => {
    const { error } = await buildFixture(fixture.root, { collections, persist }, { site: undefined });
    expect(error).toMatchObject({ message: expect.stringContaining('site URL'), hint: expect.stringContaining('site') });
  });
});

describe('astro build with approval: manual', () => {
  let fixture: ReturnType<typeof copyFixture>;
  let persist: string;
  beforeAll(async () => {
    fixture = copyFixture();
    persist = mkdtempSync(join(tmpdir(), 'content-build-approval-'));
    await migrateLocalD1(fixture.root, persist);
  });
  afterAll(() => {
    fixture?.dispose();
    rmSync(persist, { recursive: true, force: true });
  });

  it('turned on after earlier builds, only the post it adds waits for the author', async () => {
    expect((await buildFixture(fixture.root, { collections, persist })).error).toBeUndefined();
    writeFileSync(
      join(fixture.root, 'src/content/blog/fourth-post.md'),
      '---\ntitle: Fourth post\ndate: 2026-03-01\n---\nWritten after the send step was turned on.\n',
    );
    const { log, error } = await buildFixture(fixture.root, { collections, persist, approval: 'manual' });
    expect(error).toBeUndefined();
    expect(summary(log)).toMatch(
      /^content: 1 new, 0 changed, 5 unchanged, 0 removed, 1 draft skipped, 1 waiting for you to send them in the console \(approval: manual\) \(\d+ ms\)$/,
    );
    const local = await openLocalD1(fixture.root, persist);
    try {
      const { results } = await local.d1
        .prepare('SELECT slug, awaiting_approval, delivery_held FROM content_items WHERE awaiting_approval = 1 OR delivery_held = 1')
        .all();
      expect(results).toEqual([{ slug: 'blog/fourth-post', awaiting_approval: 1, delivery_held: 1 }]);
    } finally {
      await local.dispose();
    }
  });
});

describe('astro build → remote D1 (HTTP API stand-in)', () => {
  let fixture: ReturnType<typeof copyFixture>;
  let api: D1ApiStandIn;

  beforeAll(async () => {
    fixture = copyFixture();
    api = await startD1ApiStandIn();
    vi.stubEnv('CLOUDFLARE_ACCOUNT_ID', api.accountId);
    vi.stubEnv('CLOUDFLARE_D1_DATABASE_ID', api.databaseId);
    vi.stubEnv('CLOUDFLARE_API_BASE_URL', api.apiBase);
  });
  afterAll(async () => {
    vi.unstubAllEnvs();
    await api?.close();
    fixture?.dispose();
  });

  it('registers the entries through the API, retrying a transient 500', async () => {
    vi.stubEnv('CLOUDFLARE_API_TOKEN', api.token);
    api.failNext(500);
    const { log, error } = await buildFixture(fixture.root, { collections, target: 'remote' });
    expect(error).toBeUndefined();
    expect(summary(log)).toMatch(/^content: 5 new, 0 changed, 0 unchanged, 0 removed/);
    expect(api.requests.map((r) => r.status)).toEqual([500, 200, 200]);
    const slugs = api.sqlite
      .prepare('SELECT slug FROM content_items ORDER BY slug')
      .all()
      .map((r) => r.slug);
    expect(slugs).toEqual(['blog/first-post', 'blog/future-post', 'blog/second-post', 'blog/third-post', 'thoughts/small-thought']);
  });

  it('stops the build on a 401 with a message naming CLOUDFLARE_API_TOKEN, writing nothing', async () => {
    vi.stubEnv('CLOUDFLARE_API_TOKEN', 'revoked-token');
    api.sqlite.exec('DELETE FROM content_items');
    api.requests.length = 0;
    const { error } = await buildFixture(fixture.root, { collections, target: 'remote' });
    expect(error).toMatchObject({ message: expect.stringContaining('401'), hint: expect.stringContaining('CLOUDFLARE_API_TOKEN') });
    expect(api.requests.map((r) => r.status)).toEqual([401]);
    expect(api.sqlite.prepare('SELECT count(*) AS n FROM content_items').get()).toEqual({ n: 0 });
  });
});
