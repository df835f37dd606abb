/**
 * What every injected page does around its handler: refuse other methods with 405, apply the
 * handler's status and headers (never cached), and mount app-relative links (`/preferences`)
 * under the route base (Astro's `base` + the `prefix` option). Handlers in integration/server/
 * speak app-relative paths; redirects are mounted by the middleware (integration/server/mount.ts).
 */
import type { AstroGlobal } from 'astro';
import type { PageResult } from '../server/reader/deps';

// The links and language of a page are shared with the components (integration/page-links.ts); components never import pages.
export { langParam, pageT, to, toIn } from '../page-links';

/** 405 with `Allow` for a method the page does not take; undefined when it does. */
export function refuseMethod(method: string, allow: readonly string[] = ['GET', 'POST']): Response | undefined {
  if (method === 'HEAD' && allow.includes('GET')) return undefined;
  return allow.includes(method) ? undefined : new Response(null, { status: 405, headers: { allow: allow.join(', ') } });
}

/**
 * Applies a handler's result: a ready Response to return, or the view to render (status and
 * headers set). `null` (a GET with nothing to handle) renders the page's empty view. Never cached.
 */
export function applyResult<V>(Astro: AstroGlobal, result: PageResult<V>): Response | { view: V };
export function applyResult<V>(Astro: AstroGlobal, result: PageResult<V> | null): Response | { view: V | undefined };
export function applyResult<V>(Astro: AstroGlobal, result: PageResult<V> | null): Response | { view: V | undefined } {
  if (result?.type === 'response') return result.response;
  if (result) {
    Astro.response.status = result.status;
    for (const [name, value] of Object.entries(result.headers ?? {})) Astro.response.headers.set(name, value);
  }
  Astro.response.headers.set('cache-control', 'no-store');
  return { view: result?.view };
}
