// @ts-check
import { defineConfig } from 'astro/config';
import cloudflare from '@astrojs/cloudflare';

export default defineConfig({
  site: process.env.SITE_URL ?? 'http://localhost:4321',
  output: 'server',
  adapter: cloudflare(),
  // Off on purpose: src/middleware.ts enforces the same Origin rule on every form POST except
  // the RFC 8058 one-click route, which mail providers call without our Origin.
  security: { checkOrigin: false },
});
