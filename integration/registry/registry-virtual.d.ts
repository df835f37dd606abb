declare module 'virtual:content-registry' {
  /** Names of the watched collections, from the integration's options. */
  export const collections: string[];
  /** Server renderers the container needs for these entries (MDX's, when the host uses @astrojs/mdx). */
  export const renderers: { name: string; renderer: unknown }[];
}
