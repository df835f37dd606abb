/**
 * The pages and API routes the integration injects: every file under integration/pages/ becomes
 * a route at the same path Astro's file-based routing would give it, under the `prefix` option.
 * Files and folders whose name starts with `_` are helpers, and `*.test.ts` are tests: neither is a route.
 */
import { readdirSync } from 'node:fs';
import { join, relative, sep } from 'node:path';

/**
 * Every injected route renders on demand (`prerender: false`) whatever the host's `output`: a
 * static blog stays static, its pages stay files with their getStaticPaths(), and only these
 * routes run in the Worker.
 */
type InjectedRoute = { pattern: string; entrypoint: string; prerender: false };

const PAGE_FILE = /\.(astro|ts)$/;

/** `account/login.astro` → `/account/login`; `dev/mail/[id]/index.astro` → `/dev/mail/[id]`. */
export function routePattern(file: string, prefix: string): string {
  const parts = file.replace(PAGE_FILE, '').split('/');
  if (parts.at(-1) === 'index') parts.pop();
  const path = parts.length ? `/${parts.join('/')}` : '';
  return `${prefix}${path}` || '/';
}

export function isRouteFile(file: string): boolean {
  if (!PAGE_FILE.test(file) || file.endsWith('.test.ts') || file.endsWith('.d.ts')) return false;
  return !file.split('/').some((part) => part.startsWith('_'));
}

/** Page files below `dir`, as `/`-separated paths relative to it, sorted. */
function pageFiles(dir: string): string[] {
  const out: string[] = [];
  const walk = (at: string) => {
    for (const entry of readdirSync(at, { withFileTypes: true })) {
      const full = join(at, entry.name);
      if (entry.isDirectory()) walk(full);
      else out.push(relative(dir, full).split(sep).join('/'));
    }
  };
  walk(dir);
  return out.filter(isRouteFile).sort();
}

export function injectedRoutes(dir: string, prefix: string): InjectedRoute[] {
  return pageFiles(dir).map((file) => ({ pattern: routePattern(file, prefix), entrypoint: join(dir, file), prerender: false }));
}
