/**
 * test/fixtures/host-site, a blog of its own: static output (no `output` option), a post page
 * with getStaticPaths(), @astrojs/sitemap, its own `session` cookie (/me), its own form POST
 * (/contact) under Astro's default checkOrigin, a route it exempts (/hooks/payment) and a D1
 * binding named NEWS_DB. Built once with Astro's API in a throwaway copy, its local D1 migrated,
 * then served by `wrangler dev` (the Worker as deployed, on workerd).
 */
import { cpSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import cloudflare from '@astrojs/cloudflare';
import sitemap from '@astrojs/sitemap';
import { build, type AstroUserConfig } from 'astro';
import { getPlatformProxy } from 'wrangler';
import notify, { type NotifyOptions } from '../../integration/index';
import { applyMigrations, ROOT } from './d1';
import { freePort, startWranglerDev, type WranglerDev } from './wrangler-dev';

const FIXTURE = join(ROOT, 'test/fixtures/host-site');
export const HOST_BINDING = 'NEWS_DB';

/** `client`: the static files, under Astro's base as the adapter lays them out. */
export type HostSite = {
  root: string;
  client: string;
  baseUrl: string;
  server: WranglerDev;
  /** The same build and D1 served by a second `wrangler dev` on another port, with other `vars`; the caller stops it. */
  serveWith: (vars: Record<string, string>) => Promise<WranglerDev>;
  stop: () => Promise<void>;
};

/** Astro's settings a test varies: its `base`, its `i18n` routing; `seed`: rows written after the migrations, before the server starts. */
export type HostAstro = { base?: string; i18n?: AstroUserConfig['i18n']; seed?: (d1: D1Database) => Promise<void> };

/**
 * `options`: the integration's; `astro`: Astro's (no base, no i18n by default); `overlay`: a
 * fixture folder copied over the host site (pages of its own, e.g. test/fixtures/host-site-i18n).
 */
export async function launchHostSite(options: NotifyOptions, astro: HostAstro = {}, overlay?: string): Promise<HostSite> {
  const base = join(ROOT, 'test/artifacts');
  mkdirSync(base, { recursive: true });
  // Inside the repository, so `astro-d1-notify` resolves to this package.
  const root = mkdtempSync(join(base, 'host-site-'));
  cpSync(FIXTURE, root, { recursive: true });
  if (overlay) cpSync(join(ROOT, overlay), root, { recursive: true });
  const state = join(root, '.wrangler/state');
  try {
    const proxy = await getPlatformProxy<Record<string, D1Database>>({ configPath: join(root, 'wrangler.jsonc'), persist: { path: join(state, 'v3') } });
    try {
      await applyMigrations(proxy.env[HOST_BINDING]!);
      await astro.seed?.(proxy.env[HOST_BINDING]!);
    } finally {
      await proxy.dispose();
    }
    const port = await freePort();
    const baseUrl = `http://127.0.0.1:${port}`;
    await build({
      root,
      configFile: false,
      site: baseUrl,
      ...(astro.base ? { base: astro.base } : {}),
      ...(astro.i18n ? { i18n: astro.i18n } : {}),
      // No inspector: two builds at once (two test files, or another worktree's) would race for port 9229.
      adapter: cloudflare({ imageService: 'passthrough', inspectorPort: false }),
      session: false,
      logLevel: 'warn',
      integrations: [
        sitemap(),
        notify({ binding: HOST_BINDING, collections: { posts: 'blog' }, path: '/posts/{id}/', persist: join(state, 'v3'), ...options }),
      ],
    });
    const serve = (on: number, vars?: Record<string, string>) =>
      startWranglerDev({
        dir: root,
        node: join(ROOT, 'node_modules/.bin/node'),
        wrangler: join(ROOT, 'node_modules/.bin/wrangler'),
        persist: state,
        port: on,
        readyPath: `${astro.base ?? ''}/`,
        vars,
      });
    const server = await serve(port);
    const serveWith = async (vars: Record<string, string>) => serve(await freePort(), vars);
    const stop = async () => {
      await server.stop();
      rmSync(root, { recursive: true, force: true });
    };
    return { root, client: join(root, 'dist/client', astro.base ?? ''), baseUrl, server, serveWith, stop };
  } catch (error) {
    rmSync(root, { recursive: true, force: true });
    throw error;
  }
}

/** A form POST as a browser sends it, from `origin` (the site's own unless told otherwise). */
export function postForm(url: string, fields: Record<string, string>, origin: string, cookie?: string): Promise<Response> {
  const headers: Record<string, string> = { 'content-type': 'application/x-www-form-urlencoded', origin };
  if (cookie) headers.cookie = cookie;
  return fetch(url, { method: 'POST', headers, body: new URLSearchParams(fields), redirect: 'manual' });
}

/** Every href of an HTML document, absolute against `base`. */
export function hrefs(html: string, base: string): string[] {
  const decode = (s: string) => s.replace(/&#x([0-9a-f]+);/gi, (_, hex: string) => String.fromCodePoint(parseInt(hex, 16))).replaceAll('&amp;', '&');
  return [...html.matchAll(/href="([^"]+)"/g)].map((m) => new URL(decode(m[1]!), base).href);
}

/**
 * A reader subscribes through the subscribe page's form under `routeBase`, and the confirmation
 * mail is read from the dev outbox: its HTML, and the verify link in it.
 */
export async function subscribeByForm(baseUrl: string, routeBase: string, email: string): Promise<{ status: number; html: string; verifyUrl: string }> {
  const answer = await postForm(`${baseUrl}${routeBase}/subscribe`, { email, contentTypes: 'blog', frequency: 'immediate', website: '' }, baseUrl);
  const list = await (await fetch(`${baseUrl}${routeBase}/dev/mail?to=${encodeURIComponent(email)}`)).text();
  const id = new RegExp(`${routeBase}/dev/mail/([^"/?]+)"`).exec(list)?.[1];
  if (!id) throw new Error(`no mail to ${email} in the dev outbox (subscribe answered ${answer.status}):\n${list.slice(0, 2000)}`);
  const html = await (await fetch(`${baseUrl}${routeBase}/dev/mail/${id}/html`)).text();
  const verifyUrl = hrefs(html, baseUrl).find((h) => h.includes('/verify?token='));
  if (!verifyUrl) throw new Error(`no verify link in the confirmation mail:\n${html.slice(0, 2000)}`);
  return { status: answer.status, html, verifyUrl };
}
