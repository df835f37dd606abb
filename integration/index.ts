/**
 * content-registry: at `astro build`, registers every entry of the watched content
 * collections in D1's content_items, so the processor can email readers about it.
 * This file only wires Astro's hooks; the work is in the modules it imports.
 */
import { fileURLToPath } from 'node:url';
import type { AstroIntegration, AstroIntegrationLogger } from 'astro';
import { discardRegistry, REGISTRY_ENTRYPOINT, REGISTRY_ROUTE, registryVitePlugin } from './collect';
import { astroSiteUrl, parseOptions, resolveSite, type ContentRegistryOptions } from './options';
import { registerContent } from './run';
import { removeSecretFiles } from './secret-files';
import { resolveTarget, type Target } from './target';

export type { ContentRegistryOptions } from './options';

export default function contentRegistry(userOptions: ContentRegistryOptions = {}): AstroIntegration {
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
    name: 'content-registry',
    hooks: {
      'astro:config:setup': ({ command, injectRoute, updateConfig }) => {
        building = command === 'build';
        if (!building) return;
        injectRoute({ pattern: REGISTRY_ROUTE, entrypoint: REGISTRY_ENTRYPOINT, prerender: true });
        updateConfig({ vite: { plugins: [registryVitePlugin(options.collections.map((c) => c.name))] } });
      },
      'astro:config:done': async ({ config, logger }) => {
        if (!building) return;
        outDir = config.outDir ? fileURLToPath(config.outDir) : undefined;
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
