/**
 * Links and language for what the integration renders, pages and components alike: app-relative
 * paths mounted under the route base (Astro's `base` + the `prefix` option), and the page's
 * translator. Here rather than in pages/_page.ts so components need nothing from pages/.
 */
import { localeSettings, messages, routeBase } from 'virtual:astro-d1-notify/config';
import { supportedLocale, translator, type MessageOverrides, type Translate } from './i18n';

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
