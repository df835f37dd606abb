/**
 * A post page served two ways on the same local stack (issue 17): the host blog of
 * test/fixtures/host-site built with static output, served by `wrangler dev` (workerd, the
 * assets binding as deployed), asked for its static post (`/posts/first-post/`, a file from
 * getStaticPaths()) and for the same post rendered on demand by the Worker (`/live/first-post`,
 * `prerender = false`, what every page became under `output: 'server'`). Latency per request at
 * concurrency 10; ROUNDS alternating rounds of REQUESTS each; p50 is the median of the rounds' p50s.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { launchHostSite } from '../test/helpers/host-site';

const CONCURRENCY = 10;
const REQUESTS = 1_000;
const WARMUP = 100;
const ROUNDS = 3;
const RESULTS_FILE = join(import.meta.dirname, 'results', 'static-vs-on-demand.json');

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const percentile = (sorted: number[], p: number) => sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
const round = (x: number, digits = 2) => Number(x.toFixed(digits));

type Round = { p50: number; p90: number; p99: number; perSecond: number };

/** `total` GETs of `url`, `CONCURRENCY` at a time; each body is read to the end and checked. */
async function load(url: string, total: number, expected: string): Promise<Round> {
  const times: number[] = [];
  let next = 0;
  const started = performance.now();
  const worker = async () => {
    while (next < total) {
      next += 1;
      const t0 = performance.now();
      const response = await fetch(url);
      const body = await response.text();
      times.push(performance.now() - t0);
      if (response.status !== 200 || !body.includes(expected)) throw new Error(`${url} answered ${response.status}: ${body.slice(0, 200)}`);
    }
  };
  await Promise.all(Array.from({ length: CONCURRENCY }, worker));
  const seconds = (performance.now() - started) / 1000;
  times.sort((a, b) => a - b);
  return { p50: percentile(times, 50), p90: percentile(times, 90), p99: percentile(times, 99), perSecond: total / seconds };
}

export async function run(): Promise<object> {
  const site = await launchHostSite({ prefix: '/newsletter' });
  try {
    const pages = { static: `${site.baseUrl}/posts/first-post/`, onDemand: `${site.baseUrl}/live/first-post` };
    const expected = '<h1>First post</h1>';
    for (const url of Object.values(pages)) await load(url, WARMUP, expected);
    const rounds: Record<keyof typeof pages, Round[]> = { static: [], onDemand: [] };
    for (let i = 0; i < ROUNDS; i++) {
      rounds.static.push(await load(pages.static, REQUESTS, expected));
      rounds.onDemand.push(await load(pages.onDemand, REQUESTS, expected));
    }
    const summary = (rs: Round[]) => ({
      p50Ms: round(median(rs.map((r) => r.p50))),
      p90Ms: round(median(rs.map((r) => r.p90))),
      p99Ms: round(median(rs.map((r) => r.p99))),
      requestsPerSecond: round(median(rs.map((r) => r.perSecond)), 0),
    });
    const result = {
      concurrency: CONCURRENCY,
      requestsPerRound: REQUESTS,
      rounds: ROUNDS,
      static: summary(rounds.static),
      onDemand: summary(rounds.onDemand),
      p50Ratio: 0,
    };
    result.p50Ratio = round(result.onDemand.p50Ms / result.static.p50Ms);
    console.table({ static: result.static, onDemand: result.onDemand });
    console.log(`on-demand p50 / static p50 = ${result.p50Ratio}×`);
    writeFileSync(RESULTS_FILE, `${JSON.stringify(result, null, 2)}\n`);
    return result;
  } finally {
    await site.stop();
  }
}
