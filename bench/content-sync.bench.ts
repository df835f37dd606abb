/**
 * Content-sync benchmark (issue 3) over 5,000 generated entries:
 *  1. collect + hash + preview of the entries (pure CPU);
 *  2. sync to local D1 and to the D1 HTTP API stand-in: first sync, unchanged re-sync,
 *     re-sync with 1% changed — milliseconds (median of RUNS), rows written, statements, round trips;
 *  3. a full `astro build` of a generated site with those entries, twice (first and unchanged),
 *     and the integration's share of it (its own summary line times it).
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { collectRecords, type Registry, type RegistryEntry } from '../integration/registry/collect';
import { createD1HttpExecutor } from '../integration/registry/d1-http';
import { LOCAL_LIMITS } from '../integration/registry/local-d1';
import { parseOptions } from '../integration/options';
import { syncContent, type ContentRecord, type MeteredSqlRunner, type SqlStatement, type SyncReport } from '../integration/registry/sync';
import { startD1ApiStandIn } from '../test/helpers/d1-api-standin';
import { buildFixture, copyFixture, migrateLocalD1 } from '../test/helpers/fixture-build';
import { startBenchWorker, type BenchWorker } from './workerd/harness';

const ENTRIES = 5_000;
const THOUGHTS = 1_000; // the rest are blog posts
const CHANGED = ENTRIES / 100;
const RUNS = 3;
const RESULTS_FILE = join(import.meta.dirname, 'results', 'content-sync.json');
const watchedOptions = parseOptions({ collections: { blog: 'blog', thoughts: 'thought' } });
const watched = { collections: ['blog', 'thoughts'], types: ['blog', 'thought'] };

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const round = (x: number, digits = 1) => Number(x.toFixed(digits));

// --- generated content ------------------------------------------------------------------

const WORDS = 'email feed reader writing static site care post draft note web quiet words plain short long'.split(' ');
function paragraph(seed: number, words: number): string {
  return Array.from({ length: words }, (_, i) => WORDS[(seed * 7 + i * 13) % WORDS.length]).join(' ');
}

function entryFor(i: number, revision = 0): { collection: string; id: string; frontmatter: string; body: string } {
  const collection = i < THOUGHTS ? 'thoughts' : 'blog';
  const id = `entry-${String(i).padStart(5, '0')}`;
  const day = new Date(Date.UTC(2020, 0, 1) + i * 86_400_000).toISOString().slice(0, 10);
  const frontmatter = [
    `title: "Entry ${i}: ${paragraph(i, 4)}"`,
    `description: "${paragraph(i + 1, 12)}"`,
    `date: ${day}`,
    `tags: [${WORDS[i % WORDS.length]}, ${WORDS[(i + 3) % WORDS.length]}]`,
  ].join('\n');
  const body = [
    `## ${paragraph(i, 3)}`,
    `${paragraph(i, 60)} [a link](https://example.com/${i}) and **bold** text.`,
    `${paragraph(i + 2, 80)}${revision ? ` Revised ${revision}.` : ''}`,
    '- one\n- two\n- three',
    `${paragraph(i + 5, 50)}`,
  ].join('\n\n');
  return { collection, id, frontmatter, body };
}

function registryFor(revisions: Map<number, number>): Registry {
  const collections: Record<string, RegistryEntry[]> = { blog: [], thoughts: [] };
  for (let i = 0; i < ENTRIES; i++) {
    const e = entryFor(i, revisions.get(i) ?? 0);
    const data = Object.fromEntries(
      e.frontmatter.split('\n').map((line) => {
        const [k, ...v] = line.split(': ');
        const raw = v.join(': ');
        return [k, k === 'tags' ? raw.slice(1, -1).split(', ') : raw.replace(/^"|"$/g, '')];
      }),
    );
    collections[e.collection]!.push({ id: e.id, data, body: e.body, filePath: `src/content/${e.collection}/${e.id}.md` });
  }
  return { version: 1, collections: Object.entries(collections).map(([name, entries]) => ({ name, entries })) };
}

async function records(revisions: Map<number, number>): Promise<ContentRecord[]> {
  return (await collectRecords(registryFor(revisions), watchedOptions.collections, 'https://bench.example')).records;
}

// --- sync scenarios ---------------------------------------------------------------------

type Row = { scenario: string; target: string; ms: number; rows_written: number; statements: number; round_trips: number; samples_ms: number[] };

async function scenarios(target: string, db: () => MeteredSqlRunner, clear: () => Promise<void>): Promise<Row[]> {
  const samples: Record<string, SyncReport[]> = { first: [], unchanged: [], changed: [] };
  const base = await records(new Map());
  for (let run = 0; run < RUNS; run++) {
    await clear();
    samples.first!.push(await syncContent(db(), base, watched));
    samples.unchanged!.push(await syncContent(db(), base, watched));
    // A different 1% each run, so every run really changes CHANGED rows.
    const revised = new Map(Array.from({ length: CHANGED }, (_, k) => [(k * 97 + run * 31) % ENTRIES, run + 1] as [number, number]));
    const report = await syncContent(db(), await records(revised), watched);
    if (report.changed.length !== CHANGED) throw new Error(`expected ${CHANGED} changed, got ${report.changed.length}`);
    samples.changed!.push(report);
  }
  const label = { first: 'first sync', unchanged: 'unchanged re-sync', changed: `re-sync, ${CHANGED} changed (1%)` };
  return Object.entries(samples).map(([key, reports]) => ({
    scenario: label[key as keyof typeof label],
    target,
    ms: round(median(reports.map((r) => r.ms))),
    rows_written: reports[0]!.rowsWritten,
    statements: reports[0]!.statements,
    round_trips: reports[0]!.roundTrips,
    samples_ms: reports.map((r) => r.ms),
  }));
}

/**
 * Local D1 through the bench worker (one invocation per query or batch), not wrangler's
 * platform proxy: the proxy's pooled socket failed the call after a long batch
 * (`SocketError: other side closed`), see bench/workerd/harness.ts.
 */
function workerExecutor(worker: BenchWorker): MeteredSqlRunner {
  let roundTrips = 0;
  return {
    limits: LOCAL_LIMITS,
    get roundTrips() {
      return roundTrips;
    },
    async query<T>(s: SqlStatement) {
      roundTrips++;
      return (await worker.call<{ rows: T[] }>('sql-query', s)).result.rows;
    },
    async batch(statements: SqlStatement[]) {
      roundTrips++;
      return (await worker.call<{ changes: number[] }>('sql-batch', { statements })).result.changes;
    },
  };
}

async function benchLocal(): Promise<Row[]> {
  const worker = await startBenchWorker();
  try {
    return await scenarios(
      'local D1',
      () => workerExecutor(worker),
      async () => void (await worker.call('sql-batch', { statements: [{ sql: 'DELETE FROM content_items', params: [] }] })),
    );
  } finally {
    await worker.dispose();
  }
}

async function benchRemote(): Promise<Row[]> {
  const api = await startD1ApiStandIn();
  try {
    const db = () => createD1HttpExecutor({ apiBase: api.apiBase, accountId: api.accountId, databaseId: api.databaseId, apiToken: api.token });
    return await scenarios('D1 HTTP API (stand-in)', db, async () => void api.sqlite.exec('DELETE FROM content_items'));
  } finally {
    await api.close();
  }
}

// --- a full astro build -----------------------------------------------------------------

async function benchBuild() {
  const site = copyFixture();
  const persist = mkdtempSync(join(tmpdir(), 'content-sync-bench-'));
  try {
    for (const dir of ['blog', 'thoughts']) {
      rmSync(join(site.root, 'src/content', dir), { recursive: true, force: true });
      mkdirSync(join(site.root, 'src/content', dir), { recursive: true });
    }
    for (let i = 0; i < ENTRIES; i++) {
      const e = entryFor(i);
      writeFileSync(join(site.root, 'src/content', e.collection, `${e.id}.md`), `---\n${e.frontmatter}\n---\n${e.body}\n`);
    }
    await migrateLocalD1(site.root, persist);
    const builds = [];
    for (const label of ['first build (5,000 new)', 'second build (unchanged)']) {
      const started = performance.now();
      const { log, error } = await buildFixture(site.root, { collections: { blog: 'blog', thoughts: 'thought' }, persist });
      const totalMs = performance.now() - started;
      if (error) throw error;
      const summary = log.find((l) => l.startsWith('content:')) ?? '';
      const integrationMs = Number(/\((\d+) ms\)$/.exec(summary)?.[1]);
      builds.push({ build: label, total_ms: Math.round(totalMs), integration_ms: integrationMs, share_pct: round((integrationMs / totalMs) * 100), summary });
    }
    return builds;
  } finally {
    site.dispose();
    rmSync(persist, { recursive: true, force: true });
  }
}

export async function run(): Promise<object> {
  let collectMs = 0;
  for (let i = 0; i < RUNS; i++) {
    const started = performance.now();
    await records(new Map());
    collectMs = i === 0 ? performance.now() - started : Math.min(collectMs, performance.now() - started);
  }
  const sync = [...(await benchLocal()), ...(await benchRemote())];
  console.log(`collect + hash + preview of ${ENTRIES} entries: ${round(collectMs)} ms (best of ${RUNS})`);
  console.table(sync.map(({ samples_ms: _, ...r }) => r));
  const build = await benchBuild();
  console.table(build.map(({ summary: _, ...b }) => b));
  const result = {
    entries: ENTRIES,
    changed: CHANGED,
    runs: RUNS,
    collect_hash_preview_ms: round(collectMs),
    sync,
    build,
    measured_at: new Date().toISOString(),
  };
  mkdirSync(join(import.meta.dirname, 'results'), { recursive: true });
  writeFileSync(RESULTS_FILE, `${JSON.stringify(result, null, 2)}\n`);
  return result;
}
