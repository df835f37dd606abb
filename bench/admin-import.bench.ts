/**
 * The console's subscriber import (integration/server/admin/import-export.ts) at its limits:
 * parsing a file of blank lines at 10,000 and 40,000 lines (linear work grows 4×, quadratic 16×),
 * and the dry run of a file at the limits (50,000 lines, half blank, half addresses) against
 * local D1, which is the whole of the work before the author ticks Import, over RUNS runs each. The
 * parse is plain JavaScript, so Node's V8 times it as workerd's would; the dry run's D1 reads go
 * through the platform proxy and so are an upper bound.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { MAX_IMPORT_ROWS, parseImportCsv, planImport } from '../integration/server/admin/import-export';
import { createTestD1 } from '../test/helpers/d1';

const RUNS = 9;
const RESULTS_FILE = join(import.meta.dirname, 'results', 'admin-import.json');

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const round = (x: number) => Number(x.toFixed(1));
const blankLines = (n: number) => `email\n${'\n'.repeat(n)}a@example.com\n`;

async function timed(work: () => unknown): Promise<{ median: number; fastest: number }> {
  const samples: number[] = [];
  for (let i = 0; i < RUNS; i += 1) {
    const started = performance.now();
    await work();
    samples.push(performance.now() - started);
  }
  return { median: median(samples), fastest: Math.min(...samples) };
}

export async function run() {
  const [warm, tenThousand, fortyThousand] = [blankLines(5_000), blankLines(10_000), blankLines(40_000)]; // built outside the timing
  for (let i = 0; i < RUNS; i += 1) parseImportCsv(warm); // warm-up: the JIT, not the parse, would be timed first
  const small = await timed(() => parseImportCsv(tenThousand));
  const large = await timed(() => parseImportCsv(fortyThousand));

  const lines = ['email,types,frequency'];
  for (let i = 1; lines.length < MAX_IMPORT_ROWS + 1; i++) lines.push(i % 2 ? '' : `reader${i}@near-limit.example,blog thought,daily`);
  const csv = `${lines.join('\n')}\n`;
  const t = await createTestD1();
  try {
    let created = 0;
    const dryRun = await timed(async () => {
      const plan = await planImport(t.db, csv);
      created = plan.ok ? plan.plan.created.length : -1;
    });
    const report = {
      runs: RUNS,
      // A few ms each: a GC pause moves the median, so the growth is read from the fastest runs.
      parse_blank_lines_ms: {
        '10000': { median: round(small.median), fastest: round(small.fastest) },
        '40000': { median: round(large.median), fastest: round(large.fastest) },
        ratio_of_fastest: round(large.fastest / small.fastest),
      },
      dry_run_at_limits: { lines: MAX_IMPORT_ROWS, bytes: csv.length, readers_planned: created, median_ms: round(dryRun.median) },
    };
    console.table([
      { case: 'parse 10,000 blank lines', median_ms: round(small.median), fastest_ms: round(small.fastest) },
      { case: 'parse 40,000 blank lines', median_ms: round(large.median), fastest_ms: round(large.fastest) },
      {
        case: `dry run, ${MAX_IMPORT_ROWS.toLocaleString('en-US')} lines (${created.toLocaleString('en-US')} readers)`,
        median_ms: report.dry_run_at_limits.median_ms,
        fastest_ms: round(dryRun.fastest),
      },
    ]);
    console.log(`40,000 vs 10,000 blank lines: ${report.parse_blank_lines_ms.ratio_of_fastest}x, fastest runs (linear 4x, quadratic 16x)`);
    mkdirSync(join(import.meta.dirname, 'results'), { recursive: true });
    writeFileSync(RESULTS_FILE, `${JSON.stringify(report, null, 2)}\n`);
    return report;
  } finally {
    await t.dispose();
  }
}
