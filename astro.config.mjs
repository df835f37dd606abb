// @ts-check
import { defineConfig } from 'astro/config';
import cloudflare from '@astrojs/cloudflare';
import notify from 'astro-d1-notify';

export default defineConfig({
  site: process.env.SITE_URL ?? 'http://localhost:4321',
  output: 'server',
  // Passthrough images and no Astro sessions: the first deploy needs only the D1 binding
  // (the adapter otherwise asks for IMAGES and a SESSION KV namespace the product never uses).
  adapter: cloudflare({ imageService: 'passthrough' }),
  session: false,
  // Reader pages, API routes and middleware, inside our own layout; at `astro build`, every blog
  // post, thought and announcement is registered in D1's content_items.
  integrations: [notify({ layout: './src/layouts/BaseLayout.astro', siteName: 'Plain Words' })],
});
