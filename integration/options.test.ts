import { AstroError } from 'astro/errors';
import { describe, expect, it } from 'vitest';
import { astroSiteUrl, DEFAULTS, entryUrl, parseOptions, resolveSite } from './options';
import { localeSettingsOf } from './index';

describe('parseOptions', () => {
  it('fills every default', () => {
    const o = parseOptions();
    expect(o.collections).toEqual([
      { name: 'blog', type: 'blog', path: '/{collection}/{id}', email: 'full', paragraphs: 3 },
      { name: 'thoughts', type: 'thought', path: '/{collection}/{id}', email: 'full', paragraphs: 3 },
      { name: 'announcements', type: 'announcement', path: '/{collection}/{id}', email: 'full', paragraphs: 3 },
    ]);
    expect(o).toMatchObject({
      explicitCollections: false,
      site: undefined,
      target: 'local',
      binding: 'DB',
      wranglerConfig: 'wrangler.jsonc',
      persist: '.wrangler/state/v3',
      apiBase: DEFAULTS.apiBase,
      onSyncError: 'fail',
      dryRun: false,
      baseline: false,
      approval: 'auto',
    });
  });

  it('takes approval manual or auto, and refuses anything else with the option named', () => {
    expect(parseOptions({ approval: 'manual' }).approval).toBe('manual');
    expect(parseOptions({ approval: 'auto' }).approval).toBe('auto');
    expect(() => parseOptions({ approval: 'yes' as never })).toThrow(/approval: Invalid option: expected one of "auto"\|"manual"/);
    expect(() => parseOptions({ approval: true as never })).toThrow(/approval/);
  });

  it('turns the baseline on by option or for one build by CONTENT_BASELINE, the option winning', () => {
    expect(parseOptions({}, { CONTENT_BASELINE: '1' }).baseline).toBe(true);
    expect(parseOptions({}, { CONTENT_BASELINE: 'true' }).baseline).toBe(true);
    expect(parseOptions({}, { CONTENT_BASELINE: '0' }).baseline).toBe(false);
    expect(parseOptions({ baseline: false }, { CONTENT_BASELINE: '1' }).baseline).toBe(false);
    expect(parseOptions({ baseline: true }).baseline).toBe(true);
  });

  it('accepts collections as a type or as { type, path }', () => {
    const o = parseOptions({
      collections: {
        posts: 'blog',
        notes: { type: 'thought', path: '/n/{id}/', email: 'excerpt', paragraphs: 2 },
        news: { type: 'announcement', email: 'summary' },
      },
      path: '/x/{collection}/{id}',
    });
    expect(o.explicitCollections).toBe(true);
    expect(o.collections).toEqual([
      { name: 'posts', type: 'blog', path: '/x/{collection}/{id}', email: 'full', paragraphs: 3 },
      { name: 'notes', type: 'thought', path: '/n/{id}/', email: 'excerpt', paragraphs: 2 },
      { name: 'news', type: 'announcement', path: '/x/{collection}/{id}', email: 'summary', paragraphs: 3 },
    ]);
  });

  it('refuses an unknown email mode, paragraphs without an excerpt, and unknown collection keys', () => {
    expect(() => parseOptions({ collections: { posts: { type: 'blog', email: 'whole' as never } } })).toThrow(/collections\.posts/);
    expect(() => parseOptions({ collections: { posts: { type: 'blog', paragraphs: 2 } } })).toThrow(/paragraphs.*excerpt/);
    expect(() => parseOptions({ collections: { posts: { type: 'blog', email: 'excerpt', paragraphs: 0 } } })).toThrow(/paragraphs/);
    expect(() => parseOptions({ collections: { posts: { type: 'blog', mode: 'full' } as never } })).toThrow(/collections\.posts/);
  });

  it('reads the target, API base and database id from the environment, options first', () => {
    const env = { CONTENT_SYNC_TARGET: 'remote', CLOUDFLARE_API_BASE_URL: 'http://127.0.0.1:9/client/v4/', CLOUDFLARE_D1_DATABASE_ID: 'db-env' };
    expect(parseOptions({}, env)).toMatchObject({ target: 'remote', apiBase: 'http://127.0.0.1:9/client/v4', databaseId: 'db-env' });
    expect(parseOptions({ target: 'local', databaseId: 'db-opt' }, env)).toMatchObject({ target: 'local', databaseId: 'db-opt' });
  });

  it.each([
    ['an unknown option', { colections: {} }, 'colections'],
    ['an unknown content type', { collections: { blog: 'post' } }, 'collections.blog'],
    ['an unknown key in a collection', { collections: { blog: { type: 'blog', url: '/b' } } }, 'collections.blog'],
    ['a relative path pattern', { path: 'blog/{id}' }, 'path'],
    ['a bad target', { target: 'cloud' }, 'target'],
    ['a bad onSyncError', { onSyncError: 'ignore' }, 'onSyncError'],
    ['a site that is no URL', { site: 'example.com' }, 'site'],
    ['no collections', { collections: {} }, 'No collections'],
  ])('rejects %s with an AstroError and a hint', (_, input, mentions) => {
    let error: unknown;
    try {
      parseOptions(input as never);
    } catch (err) {
      error = err;
    }
    expect(error).toBeInstanceOf(AstroError);
    expect((error as AstroError).message).toContain(mentions);
    expect((error as AstroError).hint).toBeTruthy();
  });

  it('rejects an unknown CONTENT_SYNC_TARGET', () => {
    expect(() => parseOptions({}, { CONTENT_SYNC_TARGET: 'prod' })).toThrow(/CONTENT_SYNC_TARGET/);
  });
});

describe('resolveSite and entryUrl', () => {
  it('prefers the option, falls back to Astro’s site, and fails with a hint when neither is set', () => {
    expect(resolveSite('https://a.example/', 'https://b.example')).toBe('https://a.example');
    expect(resolveSite(undefined, 'https://b.example/')).toBe('https://b.example');
    expect(() => resolveSite(undefined, undefined)).toThrow(/site URL/);
  });

  it('puts Astro’s base path under the site', () => {
    expect(astroSiteUrl('https://e.example/', '/')).toBe('https://e.example');
    expect(astroSiteUrl('https://e.example', '/docs/')).toBe('https://e.example/docs');
    expect(astroSiteUrl(undefined, '/docs')).toBeUndefined();
  });

  it('fills the path pattern', () => {
    expect(entryUrl('https://e.example', '/{collection}/{id}', 'blog', 'hello')).toBe('https://e.example/blog/hello');
    expect(entryUrl('https://e.example/sub', '/n/{id}/', 'thoughts', 'a/b')).toBe('https://e.example/sub/n/a/b/');
  });
});

describe('parseOptions: the package options', () => {
  it('defaults: pages at the root, the default layout, the common frontmatter names', () => {
    const o = parseOptions();
    expect(o.prefix).toBe('');
    expect(o.layout).toBeUndefined();
    expect(o.fields.date).toEqual(['date', 'pubDate', 'publishDate', 'published', 'pubdate']);
  });

  it.each(['/newsletter', '/a/b', ''])('accepts the prefix %j', (prefix) => {
    expect(parseOptions({ prefix }).prefix).toBe(prefix);
  });

  it.each(['newsletter', '/newsletter/', '//evil.example', '/a b', '/%2e/x', '/..', '/a/./b'])('refuses the prefix %j with a message naming it', (prefix) => {
    expect(() => parseOptions({ prefix })).toThrow(/prefix/);
  });
});

describe('parseOptions: a guest in the host’s site', () => {
  it('exempts none of the host’s paths and lists no injected page in the sitemap by default', () => {
    expect(parseOptions()).toMatchObject({ originCheckExempt: [], sitemapSubscribePage: false });
    expect(parseOptions({ originCheckExempt: ['/api/stripe', '/hooks/*'], sitemap: { subscribePage: true } })).toMatchObject({
      originCheckExempt: ['/api/stripe', '/hooks/*'],
      sitemapSubscribePage: true,
    });
  });

  it.each([['hooks'], ['/a b'], ['']])('refuses the exempt path %j, naming the option', (path) => {
    expect(() => parseOptions({ originCheckExempt: [path] })).toThrow(/originCheckExempt/);
  });

  it('refuses an unknown sitemap setting', () => {
    expect(() => parseOptions({ sitemap: { everything: true } as never })).toThrow(/sitemap/);
  });
});

describe('locale and messages', () => {
  it('takes a language tag and the host’s strings by locale and key', () => {
    const o = parseOptions({ locale: 'de', messages: { de: { 'subscribe.title': 'Newsletter' } } });
    expect(o.locale).toBe('de');
    expect(o.messages).toEqual({ de: { 'subscribe.title': 'Newsletter' } });
    expect(parseOptions({}).locale).toBeUndefined();
  });

  it('refuses a malformed tag and an unknown message key', () => {
    expect(() => parseOptions({ locale: 'not a tag' })).toThrow(/locale: must be a BCP 47 language tag/);
    expect(() => parseOptions({ messages: { de: { 'subscribe.titel': 'x' } as never } })).toThrow(/messages\.de/);
  });
});

describe('localeSettingsOf', () => {
  it('without i18n routing, the option (else en) is the only language', () => {
    expect(localeSettingsOf(undefined, undefined)).toEqual({ defaultLocale: 'en', locales: ['en'] });
    expect(localeSettingsOf('fr', undefined)).toEqual({ defaultLocale: 'fr', locales: ['fr'] });
  });

  it('with i18n routing, every locale of the host, its default first', () => {
    const i18n = { defaultLocale: 'en', locales: ['en', 'de', { path: 'spanish', codes: ['es', 'es-ES'] }] };
    expect(localeSettingsOf(undefined, i18n)).toEqual({ defaultLocale: 'en', locales: ['en', 'de', 'es'] });
  });
});
