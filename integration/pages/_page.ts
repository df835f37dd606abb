/**
 * What every injected page does around its handler: refuse other methods with 405, apply the
 * handler's status and headers (never cached), and mount app-relative links (`/preferences`)
 * under the route base (Astro's `base` + the `prefix` option). Handlers in integration/server/
 * speak app-relative paths; redirects are mounted by the middleware (integration/server/mount.ts).
 */
import type { AstroGlobal } from 'astro';
import { localeSettings, messages, routeBase } from 'virtual:astro-d1-notify/config';
import { supportedLocale, translator, type MessageOverrides, type Translate } from '../i18n';
import type { PageResult } from '../server/reader/deps';

/** An app-relative path (`/account/login?next=…`) where the integration's routes are mounted. */
export const to = (path: string): string => `${routeBase}${path}`;

/**
 * The page's language: the first candidate the site serves (the reader's stored locale, the
 * `lang` of the URL, Astro.currentLocale…), else the default (integration/i18n).
 */
export function pageT(...candidates: unknown[]): Translate {
  const locale = candidates.map((c) => supportedLocale(c, localeSettings)).find(Boolean) ?? localeSettings.defaultLocale;
  return translator(locale, messages as MessageOverrides);
}

/** The `lang` a page's links and redirects keep: only when the site serves more than one language. */
export const langParam = (t: Translate): string | undefined => (localeSettings.locales.length > 1 ? t.locale : undefined);

/** `to(path)` keeping the page's language on the next request, when the site has more than one. */
export function toIn(path: string, t: Translate): string {
  const lang = langParam(t);
  return to(lang ? `${path}${path.includes('?') ? '&' : '?'}lang=${encodeURIComponent(lang)}` : path);
}

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
