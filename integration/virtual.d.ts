// Virtual modules served by the integration's Vite plugin (integration/vite-plugin.ts).
declare module 'virtual:astro-d1-notify/layout' {
  /** The host's layout (the `layout` option) or integration/components/DefaultLayout.astro. */
  const Layout: (props: { title: string; description?: string; lang?: string; dir?: 'ltr' | 'rtl' }) => unknown;
  export default Layout;
}
declare module 'virtual:astro-d1-notify/config' {
  /** Astro's `base` joined with the `prefix` option, without a trailing slash ('' at the root). */
  export const routeBase: string;
  /** Astro's `base` without a trailing slash ('' at the root): where the site's home is. */
  export const siteBase: string;
  /** The `siteName` option (used by the default layout). */
  export const siteName: string | undefined;
  /** The `binding` option: the name of the D1 binding in the wrangler config. */
  export const binding: string;
  /** The patterns of the routes the integration injects (Astro's `context.routePattern`). */
  export const ownRoutes: readonly string[];
  /** The host's `security.checkOrigin` and the `originCheckExempt` option. */
  export const originPolicy: { hostCheckOrigin: boolean; hostExempt: readonly string[] };
  /** The readers' languages: the `locale` option (else Astro's `i18n.defaultLocale`, else `en`) and the host's `i18n.locales`. */
  export const localeSettings: { defaultLocale: string; locales: readonly string[] };
  /** The `messages` option: locale → message key → the host's text. */
  export const messages: Readonly<Record<string, Readonly<Record<string, string>>>>;
  /** True under `astro dev`: a loopback SITE_URL then follows the port the server answers on. */
  export const devServer: boolean;
}
