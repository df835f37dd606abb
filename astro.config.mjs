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
  // NOTIFY_LOCALE=de (or fr, es, …) serves the reader pages and emails in that language (docs/i18n.md).
  integrations: [notify({ layout: './src/layouts/BaseLayout.astro', siteName: 'Plain Words', locale: process.env.NOTIFY_LOCALE || undefined })],
  // Code blocks: every token of this theme is at least 4.5:1 on its background (WCAG AA);
  // Astro's default (github-dark) draws comments at 3.04:1. test/demo-config.test.ts checks it.
  markdown: { shikiConfig: { theme: 'github-dark-default' } },
  // The dev toolbar sits over the subscribe button on a phone-sized window: a newcomer
  // trying the demo should see the page as readers do. Turn it on here when you want it.
  devToolbar: { enabled: false },
});
