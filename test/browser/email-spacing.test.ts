/**
 * The emails' call-to-action has room above the footer divider: the default templates as
 * migrations install them (a fresh local D1), rendered and laid out in Chromium, at desktop
 * and phone widths. Measured, not guessed: the gap between the CTA's box and the divider.
 */
import { chromium, type Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { getActiveTemplates } from '../../db/content/templates';
import { contentView, digestView, TemplateSet, type ItemFields } from '../../integration/delivery/render';
import { createTestD1, type TestD1 } from '../helpers/d1';

const CHROMIUM_ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'];
const MIN_GAP_PX = 28; // the old templates: 0 px under the content button, 24 px under the digest's last link

let t: TestD1;
let browser: Browser;
let templates: TemplateSet;
beforeAll(async () => {
  t = await createTestD1();
  templates = new TemplateSet(await getActiveTemplates(t.db));
  browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: CHROMIUM_ARGS });
});
afterAll(async () => {
  await browser?.close();
  await t?.dispose();
});

const site = { siteName: 'Plain Words', homeUrl: 'https://blog.example/', postalAddress: '1 Example Street' };
const links = {
  recipientEmail: 'reader@example.org',
  unsubscribeUrl: 'https://blog.example/unsubscribe?token=u',
  preferencesUrl: 'https://blog.example/preferences?token=p',
};
const item = (n: number): ItemFields => ({
  contentType: 'blog',
  contentTitle: `Post ${n}`,
  contentUrl: `https://blog.example/blog/post-${n}/`,
  contentExcerpt: 'A short excerpt of the post, long enough to wrap on a phone screen at least once.',
  publishDate: new Date('2026-11-25T10:00:00Z'),
});

/** Pixels between the bottom of the last CTA link and the top of the footer's divider cell. */
async function gapAboveDivider(html: string, width: number): Promise<number> {
  const page = await browser.newPage({ viewport: { width, height: 900 } });
  try {
    await page.setContent(html);
    return await page.evaluate(() => {
      const divider = [...document.querySelectorAll('td')].find((td) => td.style.borderTop.includes('1px'))!;
      const ctas = [...document.querySelectorAll('a')].filter((a) => a.compareDocumentPosition(divider) & Node.DOCUMENT_POSITION_FOLLOWING);
      const cta = ctas.at(-1)!;
      // The button's visible box is its table cell when it has one (the blue background).
      const box = (cta.closest('td[style*="background"]') ?? cta).getBoundingClientRect();
      return divider.getBoundingClientRect().top - box.bottom;
    });
  } finally {
    await page.close();
  }
}

describe('call-to-action spacing in the default emails', () => {
  for (const width of [600, 360]) {
    it(`content email (${width}px): the button has room above the divider`, async () => {
      const { html } = templates.render('blog_notification', contentView(site, links, item(1)));
      expect(await gapAboveDivider(html, width)).toBeGreaterThanOrEqual(MIN_GAP_PX);
    });
    it(`digest email (${width}px): the last item's link has room above the divider`, async () => {
      const { html } = templates.render('digest', digestView(site, links, 'daily', [item(1), item(2)]));
      expect(await gapAboveDivider(html, width)).toBeGreaterThanOrEqual(MIN_GAP_PX);
    });
  }
});
