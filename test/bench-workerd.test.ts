// The bench harness (bench/workerd/): the bench worker bundles for workerd, starts in
// Miniflare with a migrated D1, answers a tiny fan-out phase with its per-invocation
// counters, and the raw node:sqlite child runs the SQL the worker built. `npm run bench`
// is too slow for CI; this catches a broken harness.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ContentItem } from '../db/schema';
import { startRawSqlite, type SqlQuery } from '../bench/raw-sqlite';
import { startBenchWorker, type BenchWorker } from '../bench/workerd/harness';

const READERS = 100;
let worker: BenchWorker | undefined;
let item: ContentItem;

beforeAll(async () => {
  worker = await startBenchWorker();
  item = (await worker.call<{ item: ContentItem }>('setup', { readers: READERS })).result.item;
}, 60_000);

afterAll(async () => {
  await worker?.dispose();
});

describe('bench worker in workerd', () => {
  it('runs the set-based fan-out for 100 readers in one statement (no history row since issue 19) and reports its counters', async () => {
    const { result, counters } = await worker!.call<{ ms: number; created: number }>('fanout-set', { item });
    expect(result.created).toBe(READERS);
    expect(counters.d1_round_trips).toBe(1);
    expect(counters.d1_statements).toBe(1);
    expect(counters.wall_ms).toBeGreaterThanOrEqual(result.ms);
    expect(counters.outer_ms).toBeGreaterThan(0);
    expect(worker!.log.at(-1)).toMatchObject({ phase: 'fanout-set', d1_statements: 1 });
    // A second fan-out of the same item creates nothing (and the bench clears between runs).
    expect((await worker!.call<{ created: number }>('fanout-set', { item })).result.created).toBe(0);
    await worker!.call('clear-queue');
  });

  it('counts one query per row for the spec loop', async () => {
    const { result, counters } = await worker!.call<{ subscribers: number; rows: number }>('fanout-loop', { item, sample: 10 });
    expect(result).toMatchObject({ subscribers: READERS, rows: 10 });
    expect(counters.d1_statements).toBe(1 + 10);
    await worker!.call('clear-queue');
  });

  it('answers an unknown phase with 404 and bad input with an error, not a crash', async () => {
    await expect(worker!.call('nope')).rejects.toThrow(/unknown phase nope/);
    await expect(worker!.call('setup', { readers: -1 })).rejects.toThrow(/readers must be a non-negative integer/);
  });

  it('runs the same SQL on raw node:sqlite in a child process', async () => {
    const { queries } = (await worker!.call<{ queries: SqlQuery[] }>('fanout-sql', { item })).result;
    expect(queries).toHaveLength(1);
    const dir = mkdtempSync(join(tmpdir(), 'bench-raw-test-'));
    const raw = startRawSqlite();
    try {
      expect(await raw.open(join(dir, 'raw.sqlite'), 'wal', READERS)).toBe(READERS);
      expect(await raw.setQueries(queries)).toBe(1);
      expect(await raw.count()).toBe(READERS);
      expect(await raw.run(1)).toBeGreaterThan(0);
      await expect(raw.setQueries([{ sql: 'SELECT nonsense FROM nowhere', params: [] }])).rejects.toThrow(/raw sqlite: no such table/);
    } finally {
      await raw.close();
      rmSync(dir, { recursive: true, force: true });
    }
  }, 30_000);
});
