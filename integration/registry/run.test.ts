import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { AstroIntegrationLogger } from 'astro';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FIXTURE, migrateLocalD1, openLocalD1 } from '../../test/helpers/fixture-build';
import { REGISTRY_ROUTE, type Registry } from './collect';
import { parseOptions, type ContentRegistryOptions } from '../options';
import { registerContent } from './run';
import { resolveTarget } from './target';

const registry: Registry = {
  version: 1,
  collections: [
    {
      name: 'blog',
      entries: [
        { id: 'a', data: { title: 'A', date: '2026-01-01' }, body: 'Alpha.', filePath: 'src/content/blog/a.md' },
        { id: 'wip', data: { title: 'Not yet', date: '2026-01-02', draft: true }, body: 'Later.', filePath: 'src/content/blog/wip.md' },
      ],
    },
    { name: 'thoughts', entries: [] },
  ],
};

let persist: string;
beforeAll(async () => {
  persist = mkdtempSync(join(tmpdir(), 'run-d1-'));
  await migrateLocalD1(FIXTURE, persist);
});
afterAll(() => rmSync(persist, { recursive: true, force: true }));

async function run(options: ContentRegistryOptions) {
  const dir = mkdtempSync(join(tmpdir(), 'client-'));
  writeFileSync(join(dir, REGISTRY_ROUTE.slice(1)), JSON.stringify(registry));
  const resolved = parseOptions({ ...options, persist });
  const lines: string[] = [];
  const logger = { info: (m: string) => lines.push(`info ${m}`), warn: (m: string) => lines.push(`warn ${m}`), debug: () => {} };
  const report = await registerContent({
    dir: pathToFileURL(`${dir}/`),
    options: resolved,
    site: 'https://e.example',
    target: resolveTarget(resolved, FIXTURE, {}),
    logger: logger as unknown as AstroIntegrationLogger,
  });
  return { report, lines };
}

const count = async () => {
  const local = await openLocalD1(FIXTURE, persist);
  try {
    return (await local.d1.prepare('SELECT count(*) AS n FROM content_items').first<{ n: number }>())!.n;
  } finally {
    await local.dispose();
  }
};

describe('registerContent', () => {
  it('stops when a collection the user named does not exist or is empty', async () => {
    await expect(run({ collections: { blog: 'blog', thoughts: 'thought' } })).rejects.toMatchObject({
      message: 'Watched collection "thoughts" does not exist or is empty.',
      hint: expect.stringContaining('src/content.config.ts'),
    });
    expect(await count()).toBe(0);
  });

  it('dry run: logs what would change and writes nothing', async () => {
    const { report, lines } = await run({ collections: { blog: 'blog' }, dryRun: true });
    expect(report).toMatchObject({ dryRun: true, rowsWritten: 0 });
    expect(lines).toEqual([
      'info would add: blog/a "A" (2026-01-01)',
      expect.stringMatching(/^info content \(dry run, nothing written\): 1 new, 0 changed, 0 unchanged, 0 removed, 1 draft skipped \(\d+ ms\)$/),
    ]);
    expect(await count()).toBe(0);
  });

  it('only warns about a missing default collection, and registers the rest', async () => {
    const { lines } = await run({});
    expect(lines[0]).toMatch(/^warn Watched collections "thoughts", "announcements" do not exist or are empty/);
    expect(lines.at(-1)).toMatch(/^info content: 1 new, 0 changed, 0 unchanged, 0 removed, 1 draft skipped \(\d+ ms\)$/);
    expect(await count()).toBe(1);
  });
});
