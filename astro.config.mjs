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
});
