/**
 * Starts a bench worker inside workerd (Miniflare's API, as test/delivery-workerd.test.ts
 * does) and calls its phases. Node's event loop only waits on HTTP here, so nothing it does
 * can starve the connection (the platform proxy's failure mode when a phase blocks Node).
 *
 * Each call is one invocation and comes back with its counters: D1 round trips and
 * statements (counted in the worker), wall ms inside the worker and around the call, and
 * the CPU ms workerd used for it (from /proc: the worker's and local D1's SQLite together,
 * which run in the same workerd process; 10 ms steps; null where /proc is missing).
 */
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { request as httpRequest } from 'node:http';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { bundleForWorkerd } from '../../test/helpers/workerd-bundle';
import { convertV4MiniflareOptions, Miniflare } from 'miniflare';
import { splitSql, migrationFiles, MIGRATIONS_DIR } from '../../test/helpers/d1';

export const BENCH_WORKER_ENTRY = resolve(import.meta.dirname, 'worker.ts');
const COMPATIBILITY_DATE = '2026-10-01'; // as test/delivery-workerd.test.ts; no nodejs_compat on purpose
const CLOCK_TICKS_PER_S = 100; // Linux USER_HZ

export type BenchWorkerOptions = {
  entry?: string;
  /** D1 binding names (default ['DB']), each migrated with every migration unless `migrate: false`. */
  d1Databases?: string[];
  migrate?: boolean;
  /** Keep D1 in SQLite files on disk (as local dev does) instead of in memory. Default true. */
  persist?: boolean;
  /** Plain-text/JSON bindings. */
  bindings?: Record<string, unknown>;
  /** More Miniflare worker options for later benches: queueProducers, queueConsumers, durableObjects, workflows… */
  workerOptions?: Record<string, unknown>;
};

export type Counters = {
  d1_round_trips: number;
  d1_statements: number;
  /** D1's own meta over the invocation (bench/workerd/counting-d1.ts); reads of meta-less answers are not in it. */
  d1_rows_read: number;
  d1_rows_written: number;
  d1_without_meta: number;
  /** Inside the worker (workerd's clock, 1 ms steps). */
  wall_ms: number;
  /** Around dispatchFetch, from Node. */
  outer_ms: number;
  /** workerd process CPU (user + system) during the call. */
  cpu_ms: number | null;
};

export type Invocation<T> = { result: T; counters: Counters };

export type BenchWorker = {
  call<T = Record<string, unknown>>(phase: string, body?: Record<string, unknown>): Promise<Invocation<T>>;
  /** Every invocation's counters, in call order, for per-invocation maxima. */
  readonly log: readonly ({ phase: string } & Counters)[];
  mf: Miniflare;
  dispose(): Promise<void>;
};

/** The worker bundled for workerd: browser/worker builds of dependencies, no Node built-ins. */
export async function bundleBenchWorker(entry = BENCH_WORKER_ENTRY): Promise<string> {
  return bundleForWorkerd(entry, { mainFields: ['browser', 'module', 'main'] });
}

/** Children of this process named workerd. */
function workerdPids(): Set<number> {
  const pids = new Set<number>();
  let entries: string[];
  try {
    entries = readdirSync('/proc');
  } catch {
    return pids;
  }
  for (const entry of entries) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      const name = stat.slice(stat.indexOf('(') + 1, stat.lastIndexOf(')'));
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      if (name === 'workerd' && ppid === process.pid) pids.add(Number(entry));
    } catch {
      // the process ended while we looked
    }
  }
  return pids;
}

function cpuMsOf(pid: number | undefined): number | null {
  if (pid === undefined) return null;
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' '); // fields[0] is field 3 (state)
    return ((Number(fields[11]) + Number(fields[12])) * 1000) / CLOCK_TICKS_PER_S; // utime, stime
  } catch {
    return null;
  }
}

/**
 * One POST on its own connection (`Connection: close`, no agent). Not dispatchFetch: its
 * pooled keep-alive socket was reset by workerd on the call after a long invocation
 * (`ECONNRESET` / `other side closed` on the next request, measured here at ~10 s of D1
 * writes), the same failure the platform proxy showed. A fresh socket per call costs ~1 ms.
 */
function post(url: URL, body: string): Promise<{ status: number; body: string }> {
  return new Promise((resolvePost, reject) => {
    const request = httpRequest(url, { method: 'POST', agent: false, headers: { 'content-type': 'application/json', connection: 'close' } }, (response) => {
      const chunks: Buffer[] = [];
      response.on('data', (chunk: Buffer) => chunks.push(chunk));
      response.on('end', () => resolvePost({ status: response.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') }));
      response.on('error', reject);
    });
    request.on('error', reject);
    request.end(body);
  });
}

export async function startBenchWorker(options: BenchWorkerOptions = {}): Promise<BenchWorker> {
  const d1Names = options.d1Databases ?? ['DB'];
  const persistDir = options.persist === false ? undefined : mkdtempSync(join(tmpdir(), 'bench-workerd-'));
  const before = workerdPids();
  const mf = new Miniflare(
    convertV4MiniflareOptions({
      modules: true,
      script: await bundleBenchWorker(options.entry),
      compatibilityDate: COMPATIBILITY_DATE,
      d1Databases: Object.fromEntries(d1Names.map((name) => [name, `bench-${name.toLowerCase()}`])),
      bindings: options.bindings ?? {},
      ...(persistDir ? { resourcePersistencePath: persistDir } : {}),
      ...options.workerOptions,
    } as Parameters<typeof convertV4MiniflareOptions>[0]),
  );
  const url = await mf.ready;
  const pid = [...workerdPids()].find((p) => !before.has(p));
  const log: ({ phase: string } & Counters)[] = [];

  async function call<T>(phase: string, body: Record<string, unknown> = {}): Promise<Invocation<T>> {
    const cpuBefore = cpuMsOf(pid);
    const started = performance.now();
    const response = await post(new URL(`/phase/${phase}`, url), JSON.stringify(body));
    const payload = JSON.parse(response.body) as { result: T; counters: Omit<Counters, 'outer_ms' | 'cpu_ms'>; error?: string };
    const outer = performance.now() - started;
    const cpuAfter = cpuMsOf(pid);
    if (response.status !== 200) throw new Error(`bench worker phase ${phase}: ${payload.error ?? response.status}`);
    const counters: Counters = {
      ...payload.counters,
      outer_ms: Number(outer.toFixed(2)),
      cpu_ms: cpuBefore === null || cpuAfter === null ? null : cpuAfter - cpuBefore,
    };
    log.push({ phase, ...counters });
    return { result: payload.result, counters };
  }

  const worker: BenchWorker = {
    call,
    log,
    mf,
    async dispose() {
      await mf.dispose();
      if (persistDir) rmSync(persistDir, { recursive: true, force: true });
    },
  };
  if (options.migrate !== false) {
    if (d1Names.length !== 1 || d1Names[0] !== 'DB') throw new Error('the bench worker migrates its DB binding only');
    for (const file of migrationFiles()) {
      const statements = splitSql(readFileSync(join(MIGRATIONS_DIR, file), 'utf8'));
      if (statements.length) await call('exec', { statements });
    }
    log.length = 0;
  }
  return worker;
}

export const median = (xs: readonly number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
};

/** Largest value of a counter over the logged invocations of some phases. */
export function maxOver(log: BenchWorker['log'], phases: readonly string[], key: 'd1_statements' | 'd1_round_trips' | 'cpu_ms' | 'wall_ms'): number | null {
  const values = log
    .filter((l) => phases.includes(l.phase))
    .map((l) => l[key])
    .filter((v): v is number => v !== null);
  return values.length ? Math.max(...values) : null;
}
