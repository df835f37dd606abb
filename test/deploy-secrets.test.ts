/**
 * Defect 12: `.dev.vars` (local secrets) must never be part of a deploy upload. A copy of the
 * project gets a `.dev.vars` holding a marker secret, is built with `astro build`, then
 * `wrangler deploy --dry-run --outdir` writes exactly what would be uploaded; the marker must
 * be in no file of it, nor of the static assets, nor anywhere under dist/.
 */
import { spawn } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ROOT } from './helpers/d1';

const MARKER = `marker-secret-${Math.random().toString(36).slice(2)}`;
const SKIP = /[/\\](node_modules|dist|\.wrangler|\.astro|\.git|test|bench)$|\.test\.ts$|[/\\]\.dev\.vars$|[/\\]\.env$/;

function run(cwd: string, bin: string, args: string[]): Promise<{ code: number | null; out: string }> {
  return new Promise((resolve) => {
    const child = spawn(join(ROOT, 'node_modules/.bin', bin), args, { cwd, env: { ...process.env, CI: '1', WRANGLER_SEND_METRICS: 'false' } });
    let out = '';
    child.stdout.on('data', (d) => (out += d));
    child.stderr.on('data', (d) => (out += d));
    child.on('close', (code) => resolve({ code, out }));
  });
}

function filesUnder(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir, { withFileTypes: true, recursive: true })
    .filter((e) => e.isFile())
    .map((e) => join(e.parentPath, e.name));
}

let root: string;
beforeAll(() => {
  const base = join(ROOT, 'test/artifacts');
  mkdirSync(base, { recursive: true });
  root = mkdtempSync(join(base, 'deploy-'));
  // Entry by entry: cpSync refuses to copy a directory into its own subdirectory.
  for (const entry of readdirSync(ROOT)) {
    const src = join(ROOT, entry);
    if (!SKIP.test(src)) cpSync(src, join(root, entry), { recursive: true, filter: (s) => !SKIP.test(s) });
  }
  writeFileSync(join(root, '.dev.vars'), `PROCESS_SECRET="${MARKER}"\nGMAIL_REFRESH_TOKEN="${MARKER}-gmail"\n`);
});
afterAll(() => rmSync(root, { recursive: true, force: true }));

describe('secrets never reach a deploy upload', () => {
  it('astro build removes .dev.vars from dist, and wrangler deploy --dry-run uploads no file with the secret', async () => {
    const migrate = await run(root, 'wrangler', ['d1', 'migrations', 'apply', 'DB', '--local']);
    expect(migrate.code, migrate.out).toBe(0);
    const build = await run(root, 'astro', ['build']);
    expect(build.code, build.out).toBe(0);
    expect(build.out).toMatch(/secrets kept out of the build: removed server\/\.dev\.vars/);

    const outdir = join(root, 'upload');
    const deploy = await run(root, 'wrangler', ['deploy', '--dry-run', '--outdir', outdir]);
    expect(deploy.code, deploy.out).toBe(0);
    expect(deploy.out).not.toContain(MARKER);

    const upload = [...filesUnder(outdir), ...filesUnder(join(root, 'dist/client'))];
    expect(upload.some((f) => f.endsWith('entry.mjs'))).toBe(true); // the Worker really is in the upload
    const everything = [...upload, ...filesUnder(join(root, 'dist'))];
    const leaking = everything.filter((f) => readFileSync(f).includes(MARKER));
    expect(leaking.map((f) => relative(root, f))).toEqual([]);
    expect(everything.filter((f) => /[/\\]\.(dev\.vars|env)(\.|$)/.test(f))).toEqual([]);
  }, 400_000);
});
