/**
 * Secure by default: every page and endpoint under integration/pages/admin/ (the folder the
 * integration injects) authenticates before it does anything, and every POST goes through
 * the CSRF-checking helpers. A new page that forgets fails here.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ROOT } from './helpers/d1';

const ADMIN = join(ROOT, 'integration/pages/admin');

function files(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (name.startsWith('_')) return []; // not routes (components)
    return statSync(path).isDirectory() ? files(path) : [path];
  });
}

describe('integration/pages/admin', () => {
  const routes = files(ADMIN);

  it('has the console routes', () => {
    expect(routes.map((f) => relative(ADMIN, f)).sort()).toEqual([
      'index.astro',
      'posts/[id].astro',
      'posts/[id]/action.ts',
      'posts/index.astro',
      'subscribers/[id].astro',
      'subscribers/[id]/action.ts',
      'subscribers/export.csv.ts',
      'subscribers/import.astro',
      'subscribers/index.astro',
      'templates/[id].astro',
      'templates/index.astro',
    ]);
  });

  for (const file of routes) {
    const name = relative(ADMIN, file);
    const source = readFileSync(file, 'utf8');
    it(`${name} authenticates first and checks CSRF on POST`, () => {
      const gate = source.search(/openAdminPage\(|handleAdminPost\(/);
      expect(gate).toBeGreaterThan(-1);
      // Nothing reads the database before the gate.
      const firstDb = source.search(/adminDb\(\)|postActionDeps\(\)/);
      if (firstDb > -1) expect(firstDb).toBeGreaterThan(gate);
      if (/export const (POST|PUT|PATCH|DELETE)\b/.test(source)) expect(source).toContain('handleAdminPost(');
      if (source.includes("Astro.request.method === 'POST'")) expect(source).toContain('authorizeAdminPost(');
      expect(source).not.toMatch(/export const (PUT|PATCH|DELETE|ALL)\b/);
    });
  }
});
