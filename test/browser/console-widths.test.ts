/**
 * Every console page, and the dev mail viewer, at a phone width (390 px) and a desktop width
 * (1280 px): the document never scrolls sideways, axe finds nothing, chart labels render at
 * 11 px or more, and each page at each width leaves a screenshot in test/artifacts/ (gitignored). The data includes a long address
 * and a long title, the things that pushed pages wider than the phone before.
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { processNotifications } from '../../integration/delivery/processor';
import { createDevCaptureTransport } from '../../integration/delivery/providers/dev/transport';
import { ROOT } from '../helpers/d1';
import { addContent, addReader, testConfig } from '../helpers/delivery';
import { expectNoAxeViolations } from './axe';
import { startSite, type Site } from './site';

const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
];
const ARTIFACTS = join(ROOT, 'test/artifacts');
const WIDTHS = [390, 1280] as const;

let site: Site;
let browser: Browser;
let context: BrowserContext;
let page: Page;
const pages: [name: string, path: string][] = [];

/** The first link a list page offers into one item, e.g. the first post's console page. */
async function firstLink(listPath: string, selector: string): Promise<string> {
  await page.goto(listPath);
  const href = await page.locator(selector).first().getAttribute('href');
  if (!href) throw new Error(`no link ${selector} on ${listPath}`);
  return href;
}

/** The smallest rendered size, in CSS px, of any text in a chart the page shows. */
const smallestChartText = (p: Page) =>
  p.evaluate(() => {
    const sizes = [...document.querySelectorAll<SVGSVGElement>('svg.chart')]
      .filter((svg) => getComputedStyle(svg).display !== 'none')
      .flatMap((svg) =>
        [...svg.querySelectorAll('text')].map(
          (t) => (parseFloat(getComputedStyle(t).fontSize) * svg.getBoundingClientRect().width) / svg.viewBox.baseVal.width,
        ),
      );
    return sizes.length > 0 ? Math.min(...sizes) : null;
  });

/** How far the document is wider than the viewport (0 when nothing scrolls sideways). */
const sidewaysOverflow = (p: Page) => p.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);

beforeAll(async () => {
  site = await startSite();
  const long = 'a-rather-long-reader-address-that-never-wraps.on.its-own@subdomain.of.a-long-example-domain.example';
  await addReader(site.db, long, { blog: true, thought: true });
  await addContent(site.db, {
    title: 'A post whose title is long enough to push a narrow table past the edge of a phone screen',
    publishDate: new Date(Date.now() - 60_000),
    slug: 'blog/widths-long-title',
  });
  await processNotifications({
    db: site.db,
    transport: createDevCaptureTransport(site.db),
    config: testConfig({ SITE_URL: site.baseUrl }),
    clock: () => new Date(),
  });

  browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: CHROMIUM_ARGS });
  context = await browser.newContext({ baseURL: site.baseUrl });
  page = await context.newPage();
  pages.push(
    ['overview', '/admin'],
    ['posts', '/admin/posts'],
    ['post', await firstLink('/admin/posts', '[data-testid="post-row"][data-slug="blog/widths-long-title"] th a')],
    ['subscribers', '/admin/subscribers'],
    ['subscriber', await firstLink(`/admin/subscribers?q=${encodeURIComponent(long)}`, '[data-testid="subscriber-row"] th a')],
    ['import', '/admin/subscribers/import'],
    ['templates', '/admin/templates'],
    ['template', await firstLink('/admin/templates', '[data-testid="template-row"] th a')],
    ['dev-mail', '/dev/mail'],
  );
}, 240_000);

afterAll(async () => {
  await context?.close();
  await browser?.close();
  await site?.stop();
});

describe('the console at a phone and a desktop width', () => {
  for (const width of WIDTHS) {
    it(`no page scrolls sideways at ${width} px, and axe finds nothing`, async () => {
      await page.setViewportSize({ width, height: 800 });
      mkdirSync(ARTIFACTS, { recursive: true });
      const overflow: Record<string, number> = {};
      for (const [name, path] of pages) {
        const response = await page.goto(path);
        expect(response?.status(), path).toBe(200);
        overflow[name] = await sidewaysOverflow(page);
        if (name === 'overview') expect(await smallestChartText(page), `chart text at ${width} px`).toBeGreaterThanOrEqual(11);
        await page.screenshot({ path: join(ARTIFACTS, `console-${name}-${width}.png`), fullPage: true });
        await expectNoAxeViolations(page, `${path} at ${width} px`);
      }
      expect(overflow).toEqual(Object.fromEntries(pages.map(([name]) => [name, 0])));
    });
  }

  it('every control on the post, subscriber and template pages shows a focus ring when reached by keyboard', async () => {
    await page.setViewportSize({ width: 1280, height: 800 });
    const missing: string[] = [];
    let seen = 0;
    for (const name of ['post', 'template', 'subscriber']) {
      await page.goto(pages.find(([n]) => n === name)![1]);
      // Tab from the top: every control in the page that takes focus must draw an outline.
      for (let i = 0; i < 40; i++) {
        await page.keyboard.press('Tab');
        const ring = await page.evaluate(() => {
          const el = document.activeElement as HTMLElement | null;
          if (!el || el === document.body || el.tagName === 'IFRAME') return null;
          const style = getComputedStyle(el);
          return { tag: `${el.tagName.toLowerCase()}${el.id ? `#${el.id}` : ''}`, ok: style.outlineStyle !== 'none' && parseFloat(style.outlineWidth) >= 2 };
        });
        if (!ring) continue;
        seen++;
        if (!ring.ok) missing.push(`${name}: ${ring.tag}`);
      }
    }
    expect(seen).toBeGreaterThan(30);
    expect(missing).toEqual([]);
  });
});
