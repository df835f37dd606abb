/**
 * The author console in Debian's Chromium against the built site on local workerd, signed in
 * through the loopback dev bypass (ADMIN_DEV_BYPASS=1 with the dev transport). Every admin page
 * gets a screenshot under test/artifacts/ and an axe-core WCAG 2.2 AA check with zero violations.
 */
import { mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ROOT } from '../helpers/d1';
import { startSite, type Site } from './site';

const CHROMIUM_ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'];
const ARTIFACTS = join(ROOT, 'test/artifacts');
const AXE_SOURCE = readFileSync(join(ROOT, 'node_modules/axe-core/axe.min.js'), 'utf8');
const AXE_TAGS = ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa'];

let site: Site;
let browser: Browser;
let context: BrowserContext; // JavaScript off: the console must work without it
let axeContext: BrowserContext; // JavaScript on, only to run axe-core
let page: Page;

/** This file's own axe helper: inject axe-core, run the WCAG 2.2 AA rules, return the violations. */
async function axeViolations(p: Page): Promise<{ id: string; nodes: string[] }[]> {
  await p.addScriptTag({ content: AXE_SOURCE });
  return p.evaluate(async (tags) => {
    const axe = (window as unknown as { axe: { run: (ctx: unknown, opts: unknown) => Promise<{ violations: { id: string; nodes: { target: unknown[] }[] }[] }> } }).axe;
    const result = await axe.run(document, { runOnly: { type: 'tag', values: tags } });
    return result.violations.map((v) => ({ id: v.id, nodes: v.nodes.map((n) => JSON.stringify(n.target)) }));
  }, AXE_TAGS);
}

/** Screenshot of the current page, then axe on the same URL in a JavaScript-enabled page. */
async function checkPage(name: string) {
  mkdirSync(ARTIFACTS, { recursive: true });
  await page.screenshot({ path: join(ARTIFACTS, `admin-${name}.png`), fullPage: true });
  const audit = await axeContext.newPage();
  try {
    await audit.goto(page.url());
    expect(await axeViolations(audit)).toEqual([]);
  } finally {
    await audit.close();
  }
}

beforeAll(async () => {
  site = await startSite();
  browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: CHROMIUM_ARGS });
  context = await browser.newContext({ baseURL: site.baseUrl, javaScriptEnabled: false });
  axeContext = await browser.newContext({ baseURL: site.baseUrl });
  page = await context.newPage();
});

afterAll(async () => {
  await context?.close();
  await axeContext?.close();
  await browser?.close();
  await site?.stop();
});

describe('author console', () => {
  it('signs in through the dev bypass and shows the overview', async () => {
    const response = await page.goto('/admin');
    expect(response?.status()).toBe(200);
    expect(await page.locator('[data-testid="admin-actor"]').textContent()).toBe('dev-bypass');
    await expect.poll(() => page.locator('h1').textContent()).toBe('Overview');
    for (const chart of ['status', 'growth', 'queue', 'rates']) {
      const svg = page.locator(`[data-testid="chart-${chart}"] svg[role="img"]`);
      expect(await svg.getAttribute('aria-labelledby')).toBe(`${chart}-title ${chart}-desc`);
      expect(await page.locator(`[data-testid="chart-${chart}"] table tbody tr`).count()).toBeGreaterThan(0);
    }
    expect(await page.locator('[data-testid="subscriber-total"]').textContent()).toMatch(/addresses/);
    await checkPage('overview');
  });
});
