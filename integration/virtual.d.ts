// Virtual modules served by the integration's Vite plugin (integration/vite-plugin.ts).
declare module 'virtual:astro-d1-notify/layout' {
  /** The host's layout (the `layout` option) or integration/components/DefaultLayout.astro. */
  const Layout: (props: { title: string; description?: string }) => unknown;
  export default Layout;
}
declare module 'virtual:astro-d1-notify/config' {
  /** Astro's `base` joined with the `prefix` option, without a trailing slash ('' at the root). */
  export const routeBase: string;
  /** The `siteName` option (used by the default layout). */
  export const siteName: string | undefined;
}
