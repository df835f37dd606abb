/**
 * Runs the benchmarks: every `bench/*.bench.ts`, or only those whose file name contains
 * one of the words on the command line (`npm run bench -- fanout`). Each module exports
 * `run(): Promise<object>`, prints its own table and writes `bench/results/<name>.json`.
 */
import { readdirSync } from 'node:fs';
import { basename, join } from 'node:path';
import { pathToFileURL } from 'node:url';

type BenchModule = { run: () => Promise<object> };

const BENCH_DIR = import.meta.dirname;
const SUFFIX = '.bench.ts';

export function selectBenches(files: readonly string[], filters: readonly string[]): string[] {
  const benches = files.filter((f) => f.endsWith(SUFFIX)).sort();
  if (filters.length === 0) return benches;
  return benches.filter((f) => filters.some((word) => basename(f, SUFFIX).includes(word)));
}

async function main(): Promise<void> {
  const filters = process.argv.slice(2).filter((a) => !a.startsWith('-'));
  const selected = selectBenches(readdirSync(BENCH_DIR), filters);
  if (selected.length === 0) {
    console.error(`No benchmark matches ${filters.join(', ') || '(none found)'} in bench/*${SUFFIX}`);
    process.exit(1);
  }
  for (const file of selected) {
    console.log(`\n=== ${basename(file, SUFFIX)} ===`);
    const mod = (await import(pathToFileURL(join(BENCH_DIR, file)).href)) as Partial<BenchModule>;
    if (typeof mod.run !== 'function') throw new Error(`${file} does not export run()`);
    const started = performance.now();
    await mod.run();
    console.log(`(${file}: ${((performance.now() - started) / 1000).toFixed(1)} s)`);
  }
}

main().catch((error: unknown) => {
  // The message and its causes (a D1 proxy failure hides the reason in `cause`).
  for (let e: unknown = error; e; e = e instanceof Error ? e.cause : undefined) {
    console.error(e instanceof Error ? `${e.name}: ${e.message}` : e);
  }
  process.exit(1);
});
