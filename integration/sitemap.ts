/**
 * Keeps the integration's pages out of the host's sitemap. @astrojs/sitemap lists every page
 * route with a fixed path, whether it is prerendered or not (its `astro:routes:resolved` hook
 * keeps the route list), so `/account/login`, `/admin`, `/preferences`… would land there. The
 * integration hands it the route list without its own routes; the subscribe page stays when the
 * host asks for it (`sitemap: { subscribePage: true }`). The host's own `filter` still applies.
 */
import type { AstroIntegration } from 'astro';

export const SITEMAP_INTEGRATION = '@astrojs/sitemap';

type RoutesResolved = NonNullable<AstroIntegration['hooks']['astro:routes:resolved']>;

/** Wraps the sitemap integration's route hook, if the host has one, so it never sees `hidden` patterns. */
export function hideFromSitemap(integrations: readonly AstroIntegration[], hidden: ReadonlySet<string>): boolean {
  const sitemap = integrations.find((i) => i.name === SITEMAP_INTEGRATION);
  const original = sitemap?.hooks['astro:routes:resolved'];
  if (!sitemap || !original) return false;
  const wrapped: RoutesResolved = (params) => original({ ...params, routes: params.routes.filter((r) => !hidden.has(r.pattern)) });
  sitemap.hooks['astro:routes:resolved'] = wrapped;
  return true;
}
