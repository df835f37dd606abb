/**
 * Real `astro build` runs of test/fixtures/content-site with the content registration
 * integration, each in a throwaway copy (so tests may edit and delete posts).
 */
import { cpSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import cloudflare from '@astrojs/cloudflare';
import mdx from '@astrojs/mdx';
import { build } from 'astro';
import { getPlatformProxy } from 'wrangler';
import contentRegistry, { type NotifyOptions } from '../../integration/index';
import { applyMigrations, ROOT } from './d1';

export const FIXTURE = join(ROOT, 'test/fixtures/content-site');

/** A copy of the fixture inside the repo (so node_modules resolves), under the ignored test/artifacts. */
export function copyFixture(): { root: string; dispose: () => void } {
  const base = join(ROOT, 'test/artifacts');
  mkdirSync(base, { recursive: true });
  const root = mkdtempSync(join(base, 'content-site-'));
  cpSync(FIXTURE, root, { recursive: true, filter: (src) => !/[/\\](dist|\.astro|node_modules)$/.test(src) });
  return { root, dispose: () => rmSync(root, { recursive: true, force: true }) };
}

/** The fixture's local D1 in `persist`, with every migration applied (what `npm run db:migrate` does). */
export async function migrateLocalD1(root: string, persist: string): Promise<void> {
  const proxy = await getPlatformProxy<{ DB: D1Database }>({
    configPath: join(root, 'wrangler.jsonc'),
    persist: { path: persist },
  });
  try {
    await applyMigrations(proxy.env.DB);
  } finally {
    await proxy.dispose();
  }
}

/** Open the same local D1 to look at it (and dispose it before the next build). */
export async function openLocalD1(root: string, persist: string) {
  const proxy = await getPlatformProxy<{ DB: D1Database }>({
    configPath: join(root, 'wrangler.jsonc'),
    persist: { path: persist },
  });
  return { d1: proxy.env.DB, dispose: () => proxy.dispose() };
}

/**
 * `astro build` through Astro's programmatic API; returns the lines the
 * integration logged (Astro's node logger writes to stdout/stderr).
 */
export async function buildFixture(
  root: string,
  options: NotifyOptions,
  extra: { site?: string | undefined } = { site: 'https://fixture.example' },
): Promise<{ log: string[]; error?: unknown }> {
  const captured: string[] = [];
  const out = process.stdout.write.bind(process.stdout);
  const err = process.stderr.write.bind(process.stderr);
  const capture = (chunk: unknown) => {
    captured.push(String(chunk));
    return true;
  };
  process.stdout.write = capture as typeof process.stdout.write;
  process.stderr.write = capture as typeof process.stderr.write;
  let error: unknown;
  try {
    await build({
      root,
      configFile: false,
      output: 'server',
      adapter: cloudflare(),
      site: extra.site,
      logLevel: 'info',
      integrations: [mdx(), contentRegistry(options)],
    });
  } catch (e) {
    error = e;
  } finally {
    process.stdout.write = out;
    process.stderr.write = err;
  }
  const log = captured
    .join('')
    .split('\n')
    // eslint-disable-next-line no-control-regex
    .map((l) => l.replace(/\x1b\[[0-9;]*m/g, ''))
    .filter((l) => l.includes('[astro-d1-notify]'))
    .map((l) => l.replace(/^.*\[astro-d1-notify\]\s*/, ''));
  return error === undefined ? { log } : { log, error };
}
