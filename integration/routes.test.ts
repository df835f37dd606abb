import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { injectedRoutes, isRouteFile, routePattern } from './routes';

describe('routePattern', () => {
  it.each([
    ['subscribe.astro', '', '/subscribe'],
    ['account/index.astro', '', '/account'],
    ['dev/mail/[id]/index.astro', '', '/dev/mail/[id]'],
    ['dev/mail/[id]/raw.ts', '/news', '/news/dev/mail/[id]/raw'],
    ['index.astro', '', '/'],
    ['index.astro', '/news', '/news'],
  ])('%s under %j is %s', (file, prefix, pattern) => {
    expect(routePattern(file, prefix)).toBe(pattern);
  });
});

describe('isRouteFile', () => {
  it('skips helpers (_-prefixed files and folders), tests and type declarations', () => {
    expect(isRouteFile('dev/mail/_view.ts')).toBe(false);
    expect(isRouteFile('_lib/x.astro')).toBe(false);
    expect(isRouteFile('dev/mail/_view.test.ts')).toBe(false);
    expect(isRouteFile('x.d.ts')).toBe(false);
    expect(isRouteFile('notes.md')).toBe(false);
    expect(isRouteFile('api/subscribe.ts')).toBe(true);
  });
});

describe('injectedRoutes', () => {
  it('lists every page file of a folder with its absolute entrypoint, each rendered on demand', () => {
    const dir = mkdtempSync(join(tmpdir(), 'pages-'));
    for (const f of ['a.astro', 'b/index.astro', 'b/_helper.ts', 'api/c.ts']) {
      mkdirSync(dirname(join(dir, f)), { recursive: true });
      writeFileSync(join(dir, f), '');
    }
    expect(injectedRoutes(dir, '/p')).toEqual([
      { pattern: '/p/a', entrypoint: join(dir, 'a.astro'), prerender: false },
      { pattern: '/p/api/c', entrypoint: join(dir, 'api/c.ts'), prerender: false },
      { pattern: '/p/b', entrypoint: join(dir, 'b/index.astro'), prerender: false },
    ]);
  });
});
