/**
 * The reader's language: shipped catalogs, the host's overrides (the `messages` option), the
 * translator pages and emails use, and the locale rules (which language a request or a reader
 * gets). Pure: no Astro, no D1; the integration passes the host's settings in.
 */
import { de } from './de';
import { en, type Catalog, type MessageKey } from './en';
import { es } from './es';
import { fr } from './fr';

export { en, type Catalog, type MessageKey };

/** The catalogs the package ships, by primary language subtag. */
export const CATALOGS: Readonly<Record<string, Catalog>> = { en, de, fr, es };
export const MESSAGE_KEYS = Object.keys(en) as MessageKey[];

/** The host's strings: locale → key → text (the `messages` option). */
export type MessageOverrides = Readonly<Record<string, Partial<Record<MessageKey, string>>>>;

export type Translate = ((key: MessageKey, params?: Record<string, string | number>) => string) & {
  /** The BCP 47 tag this translator speaks (for `lang`, `Intl`). */
  readonly locale: string;
  /** `rtl` for right-to-left scripts, else `ltr`. */
  readonly dir: 'ltr' | 'rtl';
};

const RTL_LANGUAGES = new Set(['ar', 'arc', 'ckb', 'dv', 'fa', 'he', 'iw', 'ku', 'ps', 'sd', 'syr', 'ug', 'ur', 'yi']);
const primary = (locale: string) => locale.toLowerCase().split(/[-_]/)[0]!;

/** Right-to-left: by the script when Intl knows it (`Intl.Locale#getTextInfo`), else by the language. */
export function directionOf(locale: string): 'ltr' | 'rtl' {
  try {
    const info = new Intl.Locale(locale) as Intl.Locale & { getTextInfo?: () => { direction?: string }; textInfo?: { direction?: string } };
    const direction = info.getTextInfo?.().direction ?? info.textInfo?.direction;
    if (direction === 'rtl' || direction === 'ltr') return direction;
  } catch {
    // not a valid tag: fall back to the language list
  }
  return RTL_LANGUAGES.has(primary(locale)) ? 'rtl' : 'ltr';
}

/** `{name}` placeholders of a string, in order. */
export const placeholdersOf = (text: string): string[] => [...text.matchAll(/\{(\w+)\}/g)].map((m) => m[1]!);

const fill = (text: string, params: Record<string, string | number> | undefined, locale: string): string =>
  text.replace(/\{(\w+)\}/g, (whole, name: string) => {
    const value = params?.[name];
    if (value === undefined) return whole;
    return typeof value === 'number' ? new Intl.NumberFormat(locale).format(value) : value;
  });

/**
 * The translator for `locale`: the host's override for that exact tag, then for its language,
 * then the shipped catalog of the language, then English (so a missing string is never blank).
 */
export function translator(locale: string, overrides: MessageOverrides = {}): Translate {
  const lang = primary(locale);
  const layers = [overrides[locale], overrides[lang], CATALOGS[lang], en].filter(Boolean) as Partial<Catalog>[];
  const t = ((key: MessageKey, params?: Record<string, string | number>) => {
    const text = layers.find((layer) => typeof layer[key] === 'string')?.[key] ?? key;
    return fill(text, params, locale);
  }) as Translate;
  Object.defineProperties(t, { locale: { value: locale }, dir: { value: directionOf(locale) } });
  return t;
}

/**
 * Splits a translated sentence around one placeholder, so a page can put a link or a `<strong>`
 * there: `around(t('x'), 'signIn')` → `['… ', ' …']`. A sentence without it gives `[text, '']`.
 */
export function around(text: string, name: string): [string, string] {
  const at = text.indexOf(`{${name}}`);
  return at < 0 ? [text, ''] : [text.slice(0, at), text.slice(at + name.length + 2)];
}

/** The settings the integration resolves at config time (virtual module `…/config`). */
export type LocaleSettings = {
  /** The language without i18n routing, and the fallback (the `locale` option, else Astro's `i18n.defaultLocale`, else `en`). */
  defaultLocale: string;
  /** Every language a reader may be served in: the host's `i18n.locales` and the default. */
  locales: readonly string[];
};

/** A requested tag, if the site serves it (case-insensitive match of a full tag, then of its language). */
export function supportedLocale(requested: unknown, settings: LocaleSettings): string | undefined {
  if (typeof requested !== 'string' || requested.length === 0 || requested.length > 35) return undefined;
  const wanted = requested.trim().toLowerCase();
  return settings.locales.find((l) => l.toLowerCase() === wanted) ?? settings.locales.find((l) => primary(l) === primary(wanted));
}

/** Astro's `i18n.locales` entries are codes or `{ path, codes }`: the first code of each. */
export function astroLocaleCodes(i18n: { locales?: readonly (string | { path: string; codes: readonly string[] })[] } | undefined): string[] {
  return (i18n?.locales ?? []).map((l) => (typeof l === 'string' ? l : (l.codes[0] ?? l.path)));
}

/** Dates in the reader's language; UTC, so the same instant reads the same for every reader. */
export const formatDate = (date: Date, locale: string): string =>
  new Intl.DateTimeFormat(locale, { year: 'numeric', month: 'long', day: 'numeric', timeZone: 'UTC' }).format(date);

/** "a, b and c" in the reader's language. */
export const formatList = (items: readonly string[], locale: string): string =>
  new Intl.ListFormat(locale, { style: 'long', type: 'conjunction' }).format(items);

/** "Too many attempts … in N minute(s)", with the language's own plural rule. */
export function tooManyText(t: Translate, retryAfterSeconds: number): string {
  const minutes = Math.max(1, Math.ceil(retryAfterSeconds / 60));
  return t(new Intl.PluralRules(t.locale).select(minutes) === 'one' ? 'error.tooManyOne' : 'error.tooManyOther', { minutes });
}
