/**
 * Delivery benchmark (issues 4 and 12), measured INSIDE workerd (the bench worker on local
 * D1, bench/workerd/):
 * 1. Drain 10,000 queued notifications through the whole pipeline (claim, eligibility,
 *    tokens, render, MIME, send, record) to the loopback transport with no rate limit. Each
 *    call is one run of the production processor, as one cron invocation would be (its
 *    25 s time budget and 900-statement query budget apply), repeated until the queue is
 *    empty: emails per second, and per invocation D1 statements, round trips and CPU ms.
 * 2. The claim query's time with 5,000 and with 50,000 notifications queued (CLAIM_RUNS
 *    claims of 50 in one invocation, the claimed rows put back between claims).
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { median, startBenchWorker, type BenchWorker, type Counters } from './workerd/harness';

const DRAIN_ROWS = 10_000;
const DRAIN_BATCH_SIZES = [50, 100];
const MAX_INVOCATIONS = 100;
const CLAIM_SIZES = [5_000, 50_000];
const CLAIM_LIMIT = 50;
const CLAIM_RUNS = 15;
const RESULTS_FILE = join(import.meta.dirname, 'results', 'delivery.json');

const round = (x: number, digits = 2) => Number(x.toFixed(digits));
const maxOf = (xs: (number | null)[]) => {
  const values = xs.filter((x): x is number => x !== null);
  return values.length ? Math.max(...values) : null;
};

type RunResult = { ms: number; sent: number; bytes: number; batches: number; remaining: number; errors: number };

async function drain(worker: BenchWorker, batchSize: number) {
  await worker.call('delivery-setup', { readers: DRAIN_ROWS });
  const invocations: (RunResult & Counters)[] = [];
  const started = performance.now();
  for (;;) {
    const { result, counters } = await worker.call<RunResult>('delivery-run', { batchSize });
    invocations.push({ ...result, ...counters });
    if (result.errors > 0) throw new Error(`delivery run reported ${result.errors} errors`);
    if (result.remaining === 0) break;
    if (invocations.length >= MAX_INVOCATIONS) throw new Error('drain did not finish');
  }
  const ms = performance.now() - started;
  const sent = invocations.reduce((sum, i) => sum + i.sent, 0);
  const { result: left } = await worker.call<{ unsent: number }>('count-unsent');
  if (sent !== DRAIN_ROWS || left.unsent !== 0) throw new Error(`drain sent ${sent}, ${left.unsent} not sent`);
  const batches = invocations.reduce((sum, i) => sum + i.batches, 0);
  const workerMs = invocations.reduce((sum, i) => sum + i.wall_ms, 0);
  const cpu = invocations.map((i) => i.cpu_ms);
  return {
    batch_size: batchSize,
    emails: sent,
    seconds: round(ms / 1000),
    emails_per_s: Math.round(sent / (ms / 1000)),
    // The same, on the worker's own clock (no Node round trip between invocations).
    emails_per_s_in_worker: Math.round(sent / (workerMs / 1000)),
    invocations: invocations.length,
    batches,
    d1_round_trips: invocations.reduce((sum, i) => sum + i.d1_round_trips, 0),
    round_trips_per_batch: round(invocations.reduce((sum, i) => sum + i.d1_round_trips, 0) / batches),
    max_emails_per_invocation: Math.max(...invocations.map((i) => i.sent)),
    max_d1_statements_per_invocation: Math.max(...invocations.map((i) => i.d1_statements)),
    max_d1_round_trips_per_invocation: Math.max(...invocations.map((i) => i.d1_round_trips)),
    max_wall_ms_per_invocation: Math.max(...invocations.map((i) => i.wall_ms)),
    max_cpu_ms_per_invocation: maxOf(cpu),
    cpu_ms_per_email: cpu.every((c) => c !== null) ? round(cpu.reduce((s, c) => s + c!, 0) / sent, 3) : null,
    avg_message_bytes: Math.round(invocations.reduce((sum, i) => sum + i.bytes, 0) / sent),
    per_invocation: invocations.map(({ sent: s, batches: b, wall_ms, cpu_ms, d1_statements, d1_round_trips }) => ({ sent: s, batches: b, wall_ms, cpu_ms, d1_statements, d1_round_trips })),
  };
}

async function claimTiming(worker: BenchWorker, queued: number) {
  await worker.call('delivery-setup', { readers: queued });
  const { result } = await worker.call<{ samples_ms: number[]; empty_round_trip_ms: number[]; rows_read: number }>('claim-timing', { runs: CLAIM_RUNS, limit: CLAIM_LIMIT });
  return {
    queued,
    claim_limit: CLAIM_LIMIT,
    median_ms: median(result.samples_ms),
    min_ms: Math.min(...result.samples_ms),
    empty_round_trip_median_ms: median(result.empty_round_trip_ms),
    rows_read: result.rows_read, // D1's own count over the claim batch: flat means the queue size does not matter
    samples_ms: result.samples_ms,
  };
}

export async function run(): Promise<object> {
  const worker = await startBenchWorker();
  try {
    const drains = [];
    for (const size of DRAIN_BATCH_SIZES) drains.push(await drain(worker, size));
    const claims = [];
    for (const size of CLAIM_SIZES) claims.push(await claimTiming(worker, size));
    console.table(drains.map(({ batch_size, emails, seconds, emails_per_s, invocations, batches, round_trips_per_batch, max_d1_statements_per_invocation, max_cpu_ms_per_invocation }) => ({
      batch_size, emails, seconds, emails_per_s, invocations, batches, round_trips_per_batch, max_d1_statements_per_invocation, max_cpu_ms_per_invocation,
    })));
    console.table(claims.map(({ queued, claim_limit, median_ms, min_ms, empty_round_trip_median_ms, rows_read }) => ({ queued, claim_limit, median_ms, min_ms, empty_round_trip_median_ms, rows_read })));
    const result = {
      name: 'delivery',
      measured_at: new Date().toISOString(),
      environment:
        'inside workerd: the bench worker (bench/workerd/worker.ts) running processNotifications on local D1 (Miniflare, SQLite files on disk), loopback transport, no rate limit. One delivery-run call = one processor run = one invocation. wall_ms on workerd\'s clock (1 ms steps); cpu_ms = workerd process CPU (worker + local D1 SQLite) from /proc, 10 ms steps.',
      drain: drains,
      claim: claims,
    };
    mkdirSync(join(import.meta.dirname, 'results'), { recursive: true });
    writeFileSync(RESULTS_FILE, `${JSON.stringify(result, null, 2)}\n`);
    console.log(`\nwrote ${RESULTS_FILE}`);
    return result;
  } finally {
    await worker.dispose();
  }
}
