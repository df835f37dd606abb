import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { AstroIntegration, AstroIntegrationLogger, IntegrationResolvedRoute } from 'astro';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { ROOT } from '../test/helpers/d1';
import contentRegistry from './index';
import { REGISTRY_ROUTE } from './registry/collect';

/** The virtual config module the build serves, as the plugin returns it. */
function virtualConfig(plugins: unknown[]): string {
  const plugin = plugins[0] as { load: (id: string) => string };
  return plugin.load('\0virtual:astro-d1-notify/config');
}

/** A stand-in for @astrojs/sitemap: it keeps the route list its `astro:routes:resolved` hook is given. */
function sitemapStandIn() {
  const seen: string[] = [];
  const integration: AstroIntegration = {
    name: '@astrojs/sitemap',
    hooks: { 'astro:routes:resolved': ({ routes }) => void seen.push(...routes.map((r) => r.pattern)) },
  };
  return { integration, seen };
}

type Hooks = Record<string, (arg: unknown) => unknown>;
const logger = () => {
  const lines: string[] = [];
  const log = (m: string) => void lines.push(m);
  return { lines, logger: { info: log, warn: log, error: log, debug: () => {} } as unknown as AstroIntegrationLogger };
};

type HostConfig = { integrations?: AstroIntegration[]; checkOrigin?: boolean };

async function setUp(options: Parameters<typeof contentRegistry>[0], command: 'build' | 'dev', site?: string, host: HostConfig = {}) {
  const hooks = contentRegistry(options).hooks as Hooks;
  const injected: { pattern: string; entrypoint: string; prerender?: boolean }[] = [];
  const plugins: unknown[] = [];
  const middleware: unknown[] = [];
  const { lines, logger: log } = logger();
  await hooks['astro:config:setup']!({
    command,
    config: { root: pathToFileURL(`${ROOT}/`), base: '/', integrations: host.integrations ?? [], security: { checkOrigin: host.checkOrigin ?? true } },
    injectRoute: (r: (typeof injected)[number]) => injected.push(r),
    addMiddleware: (m: unknown) => middleware.push(m),
    updateConfig: (c: { vite: { plugins: unknown[] } }) => plugins.push(...c.vite.plugins),
    logger: log,
  });
  const configDone = () => hooks['astro:config:done']!({ config: { site, root: pathToFileURL(`${ROOT}/`) }, logger: log });
  return { hooks, injected, plugins, middleware, lines, log, configDone };
}

afterEach(() => vi.unstubAllEnvs());

describe('integration hooks', () => {
  it('injects the reader pages and the middleware, and registers no content outside `astro build`', async () => {
    vi.stubEnv('CLOUDFLARE_ACCOUNT_ID', '');
    const s = await setUp({ target: 'remote' }, 'dev');
    const patterns = s.injected.map((r) => r.pattern);
    expect(patterns).toEqual(
      expect.arrayContaining([
        '/subscribe',
        '/verify',
        '/preferences',
        '/unsubscribe',
        '/account/login',
        '/api/subscribe',
        '/api/unsubscribe/one-click',
        '/api/notifications/process',
        '/dev/mail',
        '/dev/mail/[id]',
      ]),
    );
    expect(patterns).not.toContain(REGISTRY_ROUTE);
    expect(s.middleware).toEqual([expect.objectContaining({ order: 'pre', entrypoint: expect.stringMatching(/integration\/middleware\.ts$/) })]);
    expect(s.plugins).toHaveLength(1); // the virtual modules only
    await expect(s.configDone()).resolves.toBeUndefined();
  });

  it('renders every injected route on demand, so a static host stays static', async () => {
    const s = await setUp({}, 'dev');
    expect(s.injected.length).toBeGreaterThan(10);
    for (const route of s.injected) expect(route, route.pattern).toMatchObject({ prerender: false });
  });

  it('hands the binding, its own route patterns and the host’s checkOrigin to the Worker', async () => {
    const on = virtualConfig((await setUp({ binding: 'NEWS_DB', prefix: '/n', originCheckExempt: ['/hooks/*'] }, 'dev')).plugins);
    expect(on).toContain('export const binding = "NEWS_DB";');
    expect(on).toContain('"/n/subscribe"');
    expect(on).toContain('export const originPolicy = {"hostCheckOrigin":true,"hostExempt":["/hooks/*"]};');
    const off = virtualConfig((await setUp({}, 'dev', undefined, { checkOrigin: false })).plugins);
    expect(off).toContain('"hostCheckOrigin":false');
  });

  it('keeps every injected page out of @astrojs/sitemap, the subscribe page only when asked', async () => {
    const routes = (patterns: string[]) => patterns.map((pattern) => ({ pattern }) as IntegrationResolvedRoute);
    const host = ['/', '/blog/[...slug]', '/about'];
    for (const [options, listed] of [
      [{ prefix: '/news' }, []],
      [{ prefix: '/news', sitemap: { subscribePage: true } }, ['/news/subscribe']],
      [{}, []],
    ] as const) {
      const sitemap = sitemapStandIn();
      const s = await setUp(options, 'build', 'https://e.example', { integrations: [sitemap.integration] });
      const all = [...host, REGISTRY_ROUTE, ...s.injected.map((r) => r.pattern)];
      const hook = sitemap.integration.hooks['astro:routes:resolved'] as (arg: unknown) => void;
      hook({ routes: routes(all), logger: s.log });
      expect(sitemap.seen).toEqual([...host, ...listed]);
    }
  });

  it('puts every injected route under the prefix', async () => {
    const s = await setUp({ prefix: '/newsletter' }, 'dev');
    expect(s.injected.length).toBeGreaterThan(10);
    for (const route of s.injected) expect(route.pattern).toMatch(/^\/newsletter\//);
  });

  it('injects the prerendered registry route at build', async () => {
    const s = await setUp({}, 'build', 'https://e.example');
    expect(s.injected).toContainEqual(expect.objectContaining({ pattern: REGISTRY_ROUTE, prerender: true }));
    expect(s.plugins).toHaveLength(2);
    await s.configDone();
  });

  it('refuses a layout that does not exist, naming the option', async () => {
    await expect(setUp({ layout: './src/layouts/Nope.astro' }, 'dev')).rejects.toMatchObject({
      message: expect.stringContaining('Nope.astro'),
      hint: expect.stringContaining('layout'),
    });
  });

  it.each([
    ['CLOUDFLARE_ACCOUNT_ID', { CLOUDFLARE_ACCOUNT_ID: '', CLOUDFLARE_API_TOKEN: 't' }],
    ['CLOUDFLARE_API_TOKEN', { CLOUDFLARE_ACCOUNT_ID: 'a', CLOUDFLARE_API_TOKEN: '' }],
  ])('stops a remote build without %s before any work', async (name, env) => {
    for (const [k, v] of Object.entries(env)) vi.stubEnv(k, v);
    const s = await setUp({ target: 'remote' }, 'build', 'https://e.example');
    await expect(s.configDone()).rejects.toMatchObject({ message: expect.stringContaining(name) });
  });

  it('stops a build whose wrangler config cannot be read', async () => {
    const s = await setUp({ wranglerConfig: 'missing/wrangler.jsonc' }, 'build', 'https://e.example');
    await expect(s.configDone()).rejects.toThrow(/Cannot read the wrangler config/);
  });

  it('with onSyncError: warn, warns instead and still removes the registry from the output', async () => {
    vi.stubEnv('CLOUDFLARE_ACCOUNT_ID', '');
    const s = await setUp({ target: 'remote', onSyncError: 'warn' }, 'build', 'https://e.example');
    await s.configDone();
    expect(s.lines).toEqual([expect.stringMatching(/^content not registered: CLOUDFLARE_ACCOUNT_ID is not set.*Set CLOUDFLARE_ACCOUNT_ID/)]);
    const dir = mkdtempSync(join(tmpdir(), 'client-'));
    const file = join(dir, REGISTRY_ROUTE.slice(1));
    writeFileSync(file, '{}');
    await s.hooks['astro:build:done']!({ dir: pathToFileURL(`${dir}/`), logger: s.log });
    expect(existsSync(file)).toBe(false);
  });
});
