declare module 'virtual:content-registry' {
  /** Names of the watched collections, from the integration's options. */
  export const collections: string[];
}
