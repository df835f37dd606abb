/**
 * Delivery benchmark (issues 4 and 12), measured INSIDE workerd (the bench worker on local
 * D1, bench/workerd/):
 * 1. Drain 10,000 queued notifications through the whole pipeline (claim, eligibility,
 *    tokens, render, MIME, send, record) to the loopback transport with no rate limit. Each
 *    call is one run of the production processor, as one cron invocation would be (its
 *    25 s time budget and 900-statement query budget apply), repeated until the queue is
 *    empty: emails per second, and per invocation D1 statements, round trips and CPU ms.
 *    The same drain twice per batch size: today's summary email (title, description, button)
 *    and the whole post (issue 19: ~2,000 words, 5 images, 3 code blocks, a table; made
 *    email-safe once in Node as the build does), side by side: emails/s, CPU ms and bytes per
 *    email, and D1's own rows read and written per email from fan-out to sent.
 * 2. The claim query's time with 5,000 and with 50,000 notifications queued (CLAIM_RUNS
 *    claims of 50 in one invocation, the claimed rows put back between claims).
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { longPostBody } from './fixtures/long-post';
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

type Post = ReturnType<typeof longPostBody> | null;

async function drain(worker: BenchWorker, batchSize: number, post: Post = null) {
  const { result: setup } = await worker.call<{ fanout_rows_written: number }>('delivery-setup', {
    readers: DRAIN_ROWS,
    post: post && { html: post.html, text: post.text },
  });
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
  const sum = (key: 'd1_rows_read' | 'd1_rows_written') => invocations.reduce((total, i) => total + i[key], 0);
  return {
    email: post ? 'full post' : 'summary',
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
    // D1's meta (indexes included): the fan-out's own statement and the drain (claim, tokens, history, outcome, statistics).
    rows_written_per_email_fanout: round(setup.fanout_rows_written / sent, 2),
    rows_read_per_email: round(sum('d1_rows_read') / sent, 2),
    rows_written_per_email: round(sum('d1_rows_written') / sent, 2),
    rows_written_per_email_fanout_to_sent: round((setup.fanout_rows_written + sum('d1_rows_written')) / sent, 2),
    statements_without_meta: invocations.reduce((total, i) => total + i.d1_without_meta, 0),
    per_invocation: invocations.map(({ sent: s, batches: b, wall_ms, cpu_ms, d1_statements, d1_round_trips }) => ({
      sent: s,
      batches: b,
      wall_ms,
      cpu_ms,
      d1_statements,
      d1_round_trips,
    })),
  };
}

async function claimTiming(worker: BenchWorker, queued: number) {
  await worker.call('delivery-setup', { readers: queued });
  const { result } = await worker.call<{ samples_ms: number[]; empty_round_trip_ms: number[]; rows_read: number }>('claim-timing', {
    runs: CLAIM_RUNS,
    limit: CLAIM_LIMIT,
  });
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
    const drains: Awaited<ReturnType<typeof drain>>[] = [];
    const post = longPostBody();
    for (const size of DRAIN_BATCH_SIZES) {
      drains.push(await drain(worker, size));
      drains.push(await drain(worker, size, post));
    }
    const full = drains.filter((d) => d.email === 'full post');
    const versus = full.map((f) => {
      const summary = drains.find((d) => d.email === 'summary' && d.batch_size === f.batch_size)!;
      return {
        batch_size: f.batch_size,
        emails_per_s_summary: summary.emails_per_s,
        emails_per_s_full: f.emails_per_s,
        cpu_ms_per_email_summary: summary.cpu_ms_per_email,
        cpu_ms_per_email_full: f.cpu_ms_per_email,
        cpu_ratio: summary.cpu_ms_per_email && f.cpu_ms_per_email ? round(f.cpu_ms_per_email / summary.cpu_ms_per_email, 2) : null,
        bytes_summary: summary.avg_message_bytes,
        bytes_full: f.avg_message_bytes,
        rows_read_per_email: f.rows_read_per_email,
        rows_written_per_email: f.rows_written_per_email,
        rows_written_per_email_fanout_to_sent: f.rows_written_per_email_fanout_to_sent,
      };
    });
    const claims = [];
    for (const size of CLAIM_SIZES) claims.push(await claimTiming(worker, size));
    console.table(versus);
    console.table(
      drains.map(
        ({
          email,
          batch_size,
          emails,
          seconds,
          emails_per_s,
          invocations,
          batches,
          round_trips_per_batch,
          max_d1_statements_per_invocation,
          max_cpu_ms_per_invocation,
        }) => ({
          email,
          batch_size,
          emails,
          seconds,
          emails_per_s,
          invocations,
          batches,
          round_trips_per_batch,
          max_d1_statements_per_invocation,
          max_cpu_ms_per_invocation,
        }),
      ),
    );
    console.table(
      claims.map(({ queued, claim_limit, median_ms, min_ms, empty_round_trip_median_ms, rows_read }) => ({
        queued,
        claim_limit,
        median_ms,
        min_ms,
        empty_round_trip_median_ms,
        rows_read,
      })),
    );
    const result = {
      name: 'delivery',
      measured_at: new Date().toISOString(),
      environment:
        "inside workerd: the bench worker (bench/workerd/worker.ts) running processNotifications on local D1 (Miniflare, SQLite files on disk), loopback transport, no rate limit. One delivery-run call = one processor run = one invocation. wall_ms on workerd's clock (1 ms steps); cpu_ms = workerd process CPU (worker + local D1 SQLite) from /proc, 10 ms steps.",
      post: { words: post.words, html_bytes: Buffer.byteLength(post.html), text_bytes: Buffer.byteLength(post.text) },
      full_post_vs_summary: versus,
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
