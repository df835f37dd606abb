import { AstroError } from 'astro/errors';
import { z } from 'zod';
import { CONTENT_TYPES, type ContentType } from '../db/schema/columns';
import type { EmailMode } from './registry/email-body';

/** How much of a post its email carries: the whole post (cut under Gmail's clip), the first paragraphs, or the card. */
const EMAIL_MODES = ['full', 'excerpt', 'summary'] as const satisfies readonly EmailMode[];

import { MESSAGE_KEYS, type MessageKey, type MessageOverrides } from './i18n';

/** A BCP 47 language tag as Intl accepts it (`de`, `pt-BR`, `ar`). */
const localeSchema = z.string().refine((tag) => {
  try {
    return Intl.getCanonicalLocales(tag).length === 1;
  } catch {
    return false;
  }
}, 'must be a BCP 47 language tag such as "de" or "pt-BR"');
const messagesSchema = z.record(localeSchema, z.partialRecord(z.enum(MESSAGE_KEYS as [MessageKey, ...MessageKey[]]), z.string())).optional();

/** A collection is watched as a content type, optionally with its own URL pattern. */
const collectionSchema = z.union([
  z.enum(CONTENT_TYPES),
  z
    .object({
      type: z.enum(CONTENT_TYPES),
      /** URL path of an entry; `{collection}` and `{id}` are replaced. */
      path: z.string().startsWith('/').optional(),
      /** `full` (default), `excerpt` (the first `paragraphs`, then "Continue reading") or `summary` (title, description, button). */
      email: z.enum(EMAIL_MODES).optional(),
      /** `excerpt` only: paragraphs kept (default 3). */
      paragraphs: z.int().min(1).max(100).optional(),
    })
    .strict()
    .refine((c) => c.paragraphs === undefined || c.email === 'excerpt', { message: '`paragraphs` applies only with `email: "excerpt"`', path: ['paragraphs'] }),
]);

/** Where an entry's value comes from: a frontmatter field name, several to try in order, or a function of the data. */
type FieldFunction = (data: Record<string, unknown>, entry: { id: string; collection: string }) => unknown;
const fieldSchema = z.union([
  z.string().min(1),
  z.array(z.string().min(1)).min(1),
  z.custom<FieldFunction>((v) => typeof v === 'function', 'must be a field name, a list of names or a function'),
]);
const FIELD_NAMES = ['title', 'date', 'description', 'tags', 'draft', 'author', 'image'] as const;
export type FieldName = (typeof FIELD_NAMES)[number];
export type FieldSpec = string[] | FieldFunction;

/** The names the defaults recognise: Astro's blog starter (`pubDate`), and the common others. */
export const DEFAULT_FIELDS: Record<FieldName, string[]> = {
  title: ['title'],
  date: ['date', 'pubDate', 'publishDate', 'published', 'pubdate'],
  description: ['description', 'summary', 'excerpt'],
  tags: ['tags', 'categories'],
  draft: ['draft'],
  author: ['author', 'authors'],
  /** A URL or path, or an Astro `image()` (its `src`); made absolute to the site. */
  image: ['heroImage', 'image', 'cover', 'coverImage'],
};

const optionsSchema = z
  .object({
    /** Path prefix of every injected page and API route, e.g. `/newsletter`; '' (default) keeps them at the root. */
    prefix: z
      .string()
      .regex(/^(\/(?!\.{1,2}(?:\/|$))[A-Za-z0-9._~-]+)*$/, 'must be empty or start with / and contain only path segments, without a trailing /')
      .optional(),
    /** The host's layout component for injected pages (relative to the project root); default: a minimal layout. */
    layout: z.string().min(1).optional(),
    /** The blog's name, shown by the default layout. */
    siteName: z.string().min(1).optional(),
    /** Which frontmatter field holds an entry's title, date, description, tags and draft flag. */
    fields: z
      .object({
        title: fieldSchema,
        date: fieldSchema,
        description: fieldSchema,
        tags: fieldSchema,
        draft: fieldSchema,
        author: fieldSchema,
        image: fieldSchema,
      })
      .partial()
      .strict()
      .optional(),
    /** Collection name → content type (or `{ type, path }`). */
    collections: z.record(z.string().min(1), collectionSchema).optional(),
    /** Base URL of `content_url`; defaults to Astro's `site`. */
    site: z.url().optional(),
    /** URL path of an entry for collections without their own `path`. */
    path: z.string().startsWith('/').optional(),
    /** `local`: the local D1 of `binding` (what `astro dev` uses); `remote`: Cloudflare's D1 HTTP API. */
    target: z.enum(['local', 'remote']).optional(),
    /** The D1 binding in the wrangler config. */
    binding: z.string().min(1).optional(),
    /** Wrangler config, relative to the project root. */
    wranglerConfig: z.string().min(1).optional(),
    /** Local D1 state directory (wrangler's `--persist-to` plus `/v3`), relative to the project root. */
    persist: z.string().min(1).optional(),
    /** Remote only: overrides the `database_id` of `binding` in the wrangler config. */
    databaseId: z.string().min(1).optional(),
    /** Remote only: the Cloudflare API base URL (tests point it at a stand-in). */
    apiBase: z.url().optional(),
    onSyncError: z.enum(['fail', 'warn']).optional(),
    /** Report what would change, write nothing. */
    dryRun: z.boolean().optional(),
    /**
     * Mark every published entry that is not yet notified as notified, so no email goes out
     * for it: for adopting the integration on a blog with a back catalogue. Future-dated
     * entries are left alone and announced when their date passes.
     */
    baseline: z.boolean().optional(),
    /**
     * `auto` (default): a new post goes out with the next delivery run once published. `manual`:
     * a post registered by a build with this on waits in the console until the author sends it
     * now or schedules it; posts registered before stay as they were.
     */
    approval: z.enum(['auto', 'manual']).optional(),
    /**
     * The host's own paths that accept cross-site form POSTs (e.g. a payment webhook) while its
     * `security.checkOrigin` stays on: exact paths as requested (with Astro's `base`), or `/path/*`.
     */
    originCheckExempt: z.array(z.string().regex(/^\/\S*$/, 'must be a path starting with /')).optional(),
    /** With @astrojs/sitemap: `subscribePage: true` lists the subscribe page; no other injected page is ever listed. */
    sitemap: z.object({ subscribePage: z.boolean().optional() }).strict().optional(),
    /** The readers' language without Astro's i18n routing (default `en`, or the host's `i18n.defaultLocale`). */
    locale: localeSchema.optional(),
    /** The host's own wording: locale → message key → text (docs/i18n.md lists the keys). */
    messages: messagesSchema,
  })
  .strict();

/** The integration's options as a host writes them (zod's input type, with `fields` spelled out so functions are typed). */
export type ContentRegistryOptions = Omit<z.input<typeof optionsSchema>, 'fields'> & {
  fields?: Partial<Record<FieldName, string | string[] | FieldFunction>>;
};

export type WatchedCollection = { name: string; type: ContentType; path: string; email: EmailMode; paragraphs: number };

export type ResolvedOptions = {
  prefix: string;
  layout: string | undefined;
  siteName: string | undefined;
  fields: Record<FieldName, FieldSpec>;
  collections: WatchedCollection[];
  /** True when the user named the collections: then an empty or unknown one is an error, not a warning. */
  explicitCollections: boolean;
  site: string | undefined;
  target: 'local' | 'remote';
  binding: string;
  wranglerConfig: string;
  persist: string;
  databaseId: string | undefined;
  apiBase: string;
  onSyncError: 'fail' | 'warn';
  dryRun: boolean;
  baseline: boolean;
  approval: 'auto' | 'manual';
  originCheckExempt: string[];
  sitemapSubscribePage: boolean;
  locale: string | undefined;
  messages: MessageOverrides;
};

const DEFAULT_COLLECTIONS: Record<string, ContentType> = {
  blog: 'blog',
  thoughts: 'thought',
  announcements: 'announcement',
};

export const DEFAULTS = {
  path: '/{collection}/{id}',
  target: 'local',
  binding: 'DB',
  wranglerConfig: 'wrangler.jsonc',
  // The same state directory as `wrangler d1 migrations apply DB --local` and `astro dev`.
  persist: '.wrangler/state/v3',
  apiBase: 'https://api.cloudflare.com/client/v4',
  onSyncError: 'fail',
  dryRun: false,
  baseline: false,
  // `auto`, so that upgrading changes nothing for a site that relies on the next run sending (docs/console.md, "Approval").
  approval: 'auto',
  paragraphs: 3,
} as const;

/** Environment variables read at option-resolution time (passed in, so tests need no process.env). */
type OptionsEnv = {
  CONTENT_SYNC_TARGET?: string;
  CLOUDFLARE_API_BASE_URL?: string;
  CLOUDFLARE_D1_DATABASE_ID?: string;
  /** `1` or `true`: a one-off baseline build (`CONTENT_BASELINE=1 npm run build`). */
  CONTENT_BASELINE?: string;
};

export function parseOptions(input: ContentRegistryOptions | undefined = {}, env: OptionsEnv = {}): ResolvedOptions {
  const parsed = optionsSchema.safeParse(input ?? {});
  if (!parsed.success) {
    const issues = parsed.error.issues.map((i) => `${i.path.join('.') || '(options)'}: ${i.message}`).join('; ');
    throw new AstroError(`Invalid astro-d1-notify options: ${issues}`, 'See "Options" in the package README for the accepted options.');
  }
  const o = parsed.data;
  const envTarget = env.CONTENT_SYNC_TARGET?.trim();
  if (envTarget && envTarget !== 'local' && envTarget !== 'remote') {
    throw new AstroError(`CONTENT_SYNC_TARGET is "${envTarget}".`, 'Set CONTENT_SYNC_TARGET to "local" or "remote", or unset it.');
  }
  const defaultPath = o.path ?? DEFAULTS.path;
  const collections = Object.entries(o.collections ?? DEFAULT_COLLECTIONS).map(([name, c]) =>
    typeof c === 'string'
      ? { name, type: c, path: defaultPath, email: 'full' as const, paragraphs: DEFAULTS.paragraphs }
      : { name, type: c.type, path: c.path ?? defaultPath, email: c.email ?? 'full', paragraphs: c.paragraphs ?? DEFAULTS.paragraphs },
  );
  if (collections.length === 0) {
    throw new AstroError('No collections are watched.', 'Name at least one collection in the `collections` option.');
  }
  const fields = Object.fromEntries(
    FIELD_NAMES.map((name) => {
      const given = o.fields?.[name];
      return [name, given === undefined ? DEFAULT_FIELDS[name] : typeof given === 'string' ? [given] : given];
    }),
  ) as Record<FieldName, FieldSpec>;
  return {
    prefix: o.prefix ?? '',
    layout: o.layout,
    siteName: o.siteName,
    fields,
    collections,
    explicitCollections: o.collections !== undefined,
    site: o.site,
    target: o.target ?? (envTarget as 'local' | 'remote' | undefined) ?? DEFAULTS.target,
    binding: o.binding ?? DEFAULTS.binding,
    wranglerConfig: o.wranglerConfig ?? DEFAULTS.wranglerConfig,
    persist: o.persist ?? DEFAULTS.persist,
    databaseId: o.databaseId ?? (env.CLOUDFLARE_D1_DATABASE_ID || undefined),
    apiBase: (o.apiBase ?? (env.CLOUDFLARE_API_BASE_URL || DEFAULTS.apiBase)).replace(/\/+$/, ''),
    onSyncError: o.onSyncError ?? DEFAULTS.onSyncError,
    dryRun: o.dryRun ?? DEFAULTS.dryRun,
    baseline: o.baseline ?? (/^(1|true)$/i.test(env.CONTENT_BASELINE?.trim() ?? '') || DEFAULTS.baseline),
    approval: o.approval ?? DEFAULTS.approval,
    originCheckExempt: o.originCheckExempt ?? [],
    sitemapSubscribePage: o.sitemap?.subscribePage ?? false,
    locale: o.locale,
    messages: (o.messages ?? {}) as MessageOverrides,
  };
}

/** The site URL that `content_url` is built on: the option, else Astro's `site`; neither is an error. */
export function resolveSite(optionSite: string | undefined, astroSite: string | undefined): string {
  const site = optionSite ?? astroSite;
  if (!site) {
    throw new AstroError(
      'astro-d1-notify needs a site URL to build each entry’s content_url, and none is set.',
      'Set `site` in astro.config.mjs (e.g. `site: "https://example.com"`) or pass `site` to the integration.',
    );
  }
  return site.replace(/\/+$/, '');
}

/** Astro's `site` with its `base` (entries live under the base path), or undefined. */
export function astroSiteUrl(site: string | undefined, base: string | undefined): string | undefined {
  if (!site) return undefined;
  const path = base && base !== '/' ? `/${base.replace(/^\/+|\/+$/g, '')}` : '';
  return site.replace(/\/+$/, '') + path;
}

/** `https://example.com` + `/blog/{id}` for entry `blog/hello` → `https://example.com/blog/hello`. */
export function entryUrl(site: string, pattern: string, collection: string, id: string): string {
  const path = pattern.replaceAll('{collection}', collection).replaceAll('{id}', id);
  return site + path;
}
