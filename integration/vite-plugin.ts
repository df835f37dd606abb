/**
 * Serves the integration's virtual modules: the layout injected pages render in (the host's,
 * or the default one) and the route base (Astro's `base` + `prefix`) that pages link with.
 */
import type { Plugin } from 'vite';

const LAYOUT = 'virtual:astro-d1-notify/layout';
const CONFIG = 'virtual:astro-d1-notify/config';

type VirtualConfig = { layoutPath: string; routeBase: string; siteName: string | undefined };

export function notifyVitePlugin(config: VirtualConfig): Plugin {
  return {
    name: 'astro-d1-notify',
    resolveId(id) {
      if (id === LAYOUT) return config.layoutPath;
      if (id === CONFIG) return `\0${CONFIG}`;
      return undefined;
    },
    load(id) {
      if (id !== `\0${CONFIG}`) return undefined;
      return `export const routeBase = ${JSON.stringify(config.routeBase)};\nexport const siteName = ${JSON.stringify(config.siteName)};\n`;
    },
  };
}
