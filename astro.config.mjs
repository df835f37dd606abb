// @ts-check
import { defineConfig } from 'astro/config';
import cloudflare from '@astrojs/cloudflare';
import contentRegistry from './integration/index.ts';

export default defineConfig({
  site: process.env.SITE_URL ?? 'http://localhost:4321',
  output: 'server',
  adapter: cloudflare(),
  // Registers every blog, thought and announcement in D1's content_items at `astro build`.
  integrations: [contentRegistry()],
  // Off on purpose: src/middleware.ts enforces the same Origin rule on every form POST except
  // the RFC 8058 one-click route, which mail providers call without our Origin.
  security: { checkOrigin: false },
  // Code blocks: every token of this theme is at least 4.5:1 on its background (WCAG AA);
  // Astro's default (github-dark) draws comments at 3.04:1. test/demo-config.test.ts checks it.
  markdown: { shikiConfig: { theme: 'github-dark-default' } },
  // The dev toolbar sits over the subscribe button on a phone-sized window: a newcomer
  // trying the demo should see the page as readers do. Turn it on here when you want it.
  devToolbar: { enabled: false },
});
