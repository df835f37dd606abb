/**
 * Serves the integration's virtual modules: the layout injected pages render in (the host's,
 * or the default one) and the build's settings the running Worker needs: the route base
 * (Astro's `base` + `prefix`) that pages link with, the D1 binding's name, the integration's own
 * route patterns (the middleware acts on those only) and the origin-check policy.
 */
import type { Plugin } from 'vite';
import type { OriginPolicy } from './server/origin-check';
import type { LocaleSettings, MessageOverrides } from './i18n';

const LAYOUT = 'virtual:astro-d1-notify/layout';
const CONFIG = 'virtual:astro-d1-notify/config';

export type VirtualConfig = {
  layoutPath: string;
  routeBase: string;
  /** Astro's `base` alone, without a trailing slash: the site's home is there. */
  siteBase: string;
  siteName: string | undefined;
  binding: string;
  ownRoutes: readonly string[];
  originPolicy: OriginPolicy;
  /** The readers' languages (the `locale` option, the host's `i18n`) and the host's `messages`. */
  localeSettings: LocaleSettings;
  messages: MessageOverrides;
  /** `astro dev`: emailed links follow the port the dev server answers on (integration/server/dev-origin.ts). */
  devServer: boolean;
};

export function configModule(config: Omit<VirtualConfig, 'layoutPath'>): string {
  return [
    `export const routeBase = ${JSON.stringify(config.routeBase)};`,
    `export const siteBase = ${JSON.stringify(config.siteBase)};`,
    `export const siteName = ${JSON.stringify(config.siteName)};`,
    `export const binding = ${JSON.stringify(config.binding)};`,
    `export const ownRoutes = ${JSON.stringify(config.ownRoutes)};`,
    `export const originPolicy = ${JSON.stringify(config.originPolicy)};`,
    `export const localeSettings = ${JSON.stringify(config.localeSettings)};`,
    `export const messages = ${JSON.stringify(config.messages)};`,
    `export const devServer = ${JSON.stringify(config.devServer)};`,
    '',
  ].join('\n');
}

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
      return configModule(config);
    },
  };
}
