/**
 * astro-d1-notify: email a blog's readers when it publishes, on one Cloudflare D1 database.
 * One line in astro.config.mjs: `integrations: [notify()]`. This file only wires Astro's hooks:
 * the reader pages and API routes (integration/pages/, under the `prefix` option, each rendered
 * on demand while the host's own pages keep its `output`), the CSRF and session middleware, the
 * virtual modules pages render with, and, at `astro build`, content registration in D1
 * (integration/registry/).
 */
import { existsSync } from 'node:fs';
import { isAbsolute, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { AstroIntegration, AstroIntegrationLogger } from 'astro';
import { AstroError } from 'astro/errors';
import { astroSiteUrl, parseOptions, resolveSite, type ContentRegistryOptions } from './options';
import { discardRegistry, REGISTRY_ENTRYPOINT, REGISTRY_ROUTE, registryVitePlugin } from './registry/collect';
import { registerContent } from './registry/run';
import { resolveTarget, type Target } from './registry/target';
import { removeSecretFiles } from './registry/secret-files';
import { injectedRoutes, routePattern } from './routes';
import { hideFromSitemap } from './sitemap';
import { notifyVitePlugin } from './vite-plugin';
import { astroLocaleCodes, type LocaleSettings } from './i18n';

export type { ContentRegistryOptions as NotifyOptions } from './options';

const here = (path: string) => fileURLToPath(new URL(path, import.meta.url));
export const PACKAGE_NAME = 'astro-d1-notify';

/** Astro's `base` and the `prefix`, as one path without a trailing slash ('' at the root). */
export function routeBaseOf(base: string, prefix: string): string {
  const trimmed = base.replace(/\/+$/, '');
  return `${trimmed === '' || trimmed === '/' ? '' : trimmed.startsWith('/') ? trimmed : `/${trimmed}`}${prefix}`;
}

function resolveLayout(layout: string | undefined, root: string): string {
  if (!layout) return here('./components/DefaultLayout.astro');
  const path = isAbsolute(layout) ? layout : resolve(root, layout);
  if (!existsSync(path)) {
    throw new AstroError(
      `The layout "${layout}" given to astro-d1-notify does not exist (looked for ${path}).`,
      'Set `layout` to a .astro file relative to the project root, e.g. `./src/layouts/BaseLayout.astro`, or leave it out for the default layout.',
    );
  }
  return path;
}

/**
 * The readers' languages: with Astro's i18n routing, every locale of the host (a reader is served
 * in the one of the page where they subscribed); without it, the `locale` option alone.
 */
export function localeSettingsOf(
  optionLocale: string | undefined,
  i18n: (Parameters<typeof astroLocaleCodes>[0] & { defaultLocale?: string }) | undefined,
): LocaleSettings {
  const defaultLocale = optionLocale ?? i18n?.defaultLocale ?? 'en';
  return { defaultLocale, locales: [...new Set([defaultLocale, ...astroLocaleCodes(i18n)])] };
}

export default function notify(userOptions: ContentRegistryOptions = {}): AstroIntegration {
  const options = parseOptions(userOptions, process.env);
  let building = false;
  let ready: { site: string; target: Target } | undefined;
  let outDir: string | undefined;

  // onSyncError: 'warn' turns any failure of the registration into a warning; 'fail' stops the build.
  const guard = async (logger: AstroIntegrationLogger, step: () => unknown) => {
    try {
      return await step();
    } catch (err) {
      if (options.onSyncError === 'fail') throw err;
      const hint = (err as { hint?: string }).hint;
      logger.warn(`content not registered: ${(err as Error).message}${hint ? ` ${hint}` : ''}`);
      return undefined;
    }
  };

  return {
    name: PACKAGE_NAME,
    hooks: {
      'astro:config:setup': ({ command, config, injectRoute, addMiddleware, updateConfig }) => {
        building = command === 'build';
        const routes = injectedRoutes(here('./pages'), options.prefix);
        for (const route of routes) injectRoute(route);
        addMiddleware({ entrypoint: here('./middleware.ts'), order: 'pre' });
        const ownRoutes = routes.map((r) => r.pattern);
        // No injected page in the host's sitemap; the subscribe page only when the host asks for it.
        const listed = options.sitemapSubscribePage ? routePattern('subscribe.astro', options.prefix) : undefined;
        hideFromSitemap(config.integrations, new Set([REGISTRY_ROUTE, ...ownRoutes.filter((p) => p !== listed)]));
        const plugins = [
          notifyVitePlugin({
            layoutPath: resolveLayout(options.layout, fileURLToPath(config.root)),
            routeBase: routeBaseOf(config.base, options.prefix),
            siteBase: routeBaseOf(config.base, ''),
            siteName: options.siteName,
            binding: options.binding,
            ownRoutes,
            // Astro's check cannot exempt a route (it runs before any middleware): the middleware
            // applies it instead, where the host asked for it (integration/server/origin-check.ts).
            originPolicy: { hostCheckOrigin: config.security?.checkOrigin ?? true, hostExempt: options.originCheckExempt },
            localeSettings: localeSettingsOf(options.locale, config.i18n),
            messages: options.messages,
            devServer: command === 'dev',
          }),
        ];
        if (building) {
          injectRoute({ pattern: REGISTRY_ROUTE, entrypoint: REGISTRY_ENTRYPOINT, prerender: true });
          const mdx = (config.integrations ?? []).some((i) => i.name === '@astrojs/mdx');
          plugins.push(
            registryVitePlugin(
              options.collections.map((c) => c.name),
              { mdx },
            ) as never,
          );
        }
        updateConfig({
          // The middleware applies Astro's Origin rule itself, following the host's setting above,
          // with the RFC 8058 one-click route, the process route and the webhooks exempt.
          security: { checkOrigin: false },
          // The package ships .astro and TypeScript sources: Vite must compile them, not externalise them.
          vite: { plugins, ssr: { noExternal: [PACKAGE_NAME] } },
        });
      },
      'astro:config:done': async ({ config, logger }) => {
        outDir = config.outDir ? fileURLToPath(config.outDir) : undefined;
        if (!building) return;
        // Fail fast, before the build spends its time: site URL, wrangler config, credentials.
        await guard(logger, () => {
          const site = resolveSite(options.site, astroSiteUrl(config.site, config.base));
          ready = { site, target: resolveTarget(options, fileURLToPath(config.root), process.env) };
        });
      },
      'astro:build:done': async ({ dir, logger }) => {
        // Before anything can fail: secrets (.dev.vars, .env) never stay in the output.
        const removed = outDir ? removeSecretFiles(outDir) : [];
        if (removed.length > 0) logger.info(`secrets kept out of the build: removed ${removed.join(', ')}`);
        if (!ready) return discardRegistry(dir); // already warned; still never deploy the registry
        const { site, target } = ready;
        await guard(logger, () => registerContent({ dir, options, site, target, logger }));
      },
    },
  };
}
