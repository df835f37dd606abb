import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startD1ApiStandIn, type D1ApiStandIn } from '../../test/helpers/d1-api-standin';
import { createD1HttpExecutor, type D1HttpOptions } from './d1-http';
import { ROWS_PER_STATEMENT, syncContent, type ContentRecord } from './sync';

const watched = { collections: ['blog'], types: ['blog'] };
const record = (i: number): ContentRecord => ({
  slug: `blog/p${i}`,
  contentType: 'blog',
  title: `P${i}`,
  description: null,
  contentPreview: 'x',
  contentUrl: `https://e.example/blog/p${i}`,
  publishDate: 1_780_000_000,
  filePath: `src/content/blog/p${i}.md`,
  contentHash: `h${i}`,
  tags: [],
  emailHtml: null,
  emailText: null,
  author: null,
  heroImage: null,
});

let api: D1ApiStandIn;
const sleeps: number[] = [];
const client = (over: Partial<D1HttpOptions> = {}) =>
  createD1HttpExecutor({
    apiBase: api.apiBase,
    accountId: api.accountId,
    databaseId: api.databaseId,
    apiToken: api.token,
    sleep: async (ms) => void sleeps.push(ms),
    ...over,
  });
const count = () => (api.sqlite.prepare('SELECT count(*) AS n FROM content_items').get() as { n: number }).n;

beforeAll(async () => {
  api = await startD1ApiStandIn();
});
afterAll(() => api?.close());
beforeEach(() => {
  api.sqlite.exec('DELETE FROM content_items');
  api.requests.length = 0;
  sleeps.length = 0;
});

describe('D1 HTTP client against the stand-in', () => {
  it('syncs in two requests: one read, one batch; then one read only', async () => {
    const db = client();
    const first = await syncContent(
      db,
      Array.from({ length: 25 }, (_, i) => record(i)),
      watched,
    );
    expect(first).toMatchObject({ rowsWritten: 25, statements: Math.ceil(25 / ROWS_PER_STATEMENT), roundTrips: 2 });
    expect(count()).toBe(25);
    expect(api.requests.map((r) => r.statements)).toEqual([1, Math.ceil(25 / ROWS_PER_STATEMENT)]);
    const second = await syncContent(
      db,
      Array.from({ length: 25 }, (_, i) => record(i)),
      watched,
    );
    expect(second).toMatchObject({ unchanged: 25, rowsWritten: 0, roundTrips: 1 });
  });

  it('retries a transient 500 and a 429 with backoff, then succeeds', async () => {
    api.failNext(500);
    const report = await syncContent(client({ backoffMs: 10 }), [record(1)], watched);
    expect(report.rowsWritten).toBe(1);
    expect(api.requests.map((r) => r.status)).toEqual([500, 200, 200]);
    api.failNext(429, 2);
    const db = client({ backoffMs: 10 });
    expect(await db.query({ sql: 'SELECT 1 AS one', params: [] })).toEqual([{ one: 1 }]);
    expect(db.retries).toBe(2);
    expect(sleeps).toEqual([10, 10, 20]);
  });

  it('gives up after the last attempt on a persistent 503', async () => {
    api.failNext(503, 10);
    await expect(client({ attempts: 3 }).query({ sql: 'SELECT 1', params: [] })).rejects.toThrow(/D1 API error \(503\)/);
    expect(api.requests).toHaveLength(3);
    api.failNext(503, 0);
  });

  it('turns a 401 into an AstroError naming CLOUDFLARE_API_TOKEN, without retrying', async () => {
    const run = syncContent(client({ apiToken: 'wrong' }), [record(1)], watched);
    await expect(run).rejects.toThrow(/refused the D1 request \(401: Authentication error\)/);
    await expect(run).rejects.toHaveProperty('hint', expect.stringContaining('CLOUDFLARE_API_TOKEN'));
    // One request, one 401: a retry would add a second row here.
    expect(api.requests.map((r) => r.status)).toEqual([401]);
    expect(sleeps).toEqual([]);
    expect(count()).toBe(0);
  });

  it('explains an unknown database (404)', async () => {
    await expect(client({ databaseId: 'nope' }).query({ sql: 'SELECT 1', params: [] })).rejects.toHaveProperty(
      'hint',
      expect.stringContaining('CLOUDFLARE_D1_DATABASE_ID'),
    );
  });

  it('leaves content_items as it was when a statement of the batch fails', async () => {
    await syncContent(client(), [record(1)], watched);
    const before = api.sqlite.prepare('SELECT * FROM content_items').all();
    const records = Array.from({ length: 20 }, (_, i) => ({ ...record(i + 2), contentType: (i === 19 ? 'podcast' : 'blog') as 'blog' }));
    await expect(syncContent(client(), records, watched)).rejects.toThrow(/CHECK constraint/);
    expect(api.sqlite.prepare('SELECT * FROM content_items').all()).toEqual(before);
  });

  it('stages a write too large for one request: all rows land, in one final statement', async () => {
    const db = client({ limits: { statements: 3, bytes: 3_000 } });
    const report = await syncContent(
      db,
      Array.from({ length: 40 }, (_, i) => record(i)),
      watched,
    );
    expect(report).toMatchObject({ rowsWritten: 40, staged: true });
    expect(count()).toBe(40);
    expect(api.requests.length).toBeGreaterThan(3);
    expect(api.sqlite.prepare("SELECT name FROM sqlite_master WHERE name LIKE '_content_sync_%'").all()).toEqual([]);
  });

  it('says how to migrate a remote database that has no tables', async () => {
    const bare = await startD1ApiStandIn({ migrate: false });
    try {
      const db = createD1HttpExecutor({ apiBase: bare.apiBase, accountId: bare.accountId, databaseId: bare.databaseId, apiToken: bare.token });
      await expect(syncContent(db, [record(1)], watched)).rejects.toHaveProperty('hint', expect.stringContaining('npx astro-d1-notify migrations'));
    } finally {
      await bare.close();
    }
  });
});
