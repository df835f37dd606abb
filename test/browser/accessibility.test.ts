/**
 * axe-core (WCAG 2.2 AA) over every page a reader reaches, in Debian's Chromium against the
 * built site: everything linked from the home page (lists, posts with code blocks, subscribe,
 * sign-in, register), and the states behind tokens and forms (subscribe sent and with errors,
 * verify valid/expired/unknown, preferences by token/saved/401, unsubscribe
 * valid/used/expired/unknown, 404), in light and dark colour schemes at 1280 px, and in light at
 * 390 px (a phone); at both widths no page scrolls sideways.
 */
import { chromium, type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createUnsubscribeToken } from '../../db/readers/unsubscribe-tokens';
import { createUser } from '../../db/readers/users';
import { issueVerificationToken } from '../../integration/server/verification';
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
const MAX_PAGES = 80;

let site: Site;
let browser: Browser;
beforeAll(async () => {
  site = await startSite();
  browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: CHROMIUM_ARGS });
});
afterAll(async () => {
  await browser?.close();
  await site?.stop();
});

/** Playwright's default viewport is 1280 px wide; the phone runs take 390 (an iPhone 12–15). */
async function withPage(scheme: 'light' | 'dark', fn: (page: Page) => Promise<void>, width = 1280) {
  const context = await browser.newContext({ baseURL: site.baseUrl, colorScheme: scheme, viewport: { width, height: width === 390 ? 844 : 720 } });
  try {
    await fn(await context.newPage());
  } finally {
    await context.close();
  }
}

/**
 * Every same-origin page reachable by links from the home page (reader pages only), plus the
 * pages its forms lead to (the subscribe form posts to /subscribe).
 */
async function crawl(page: Page): Promise<string[]> {
  const start = ['/', '/subscribe', '/account/login', '/account/register'];
  const seen = new Set<string>(start);
  const queue = [...start];
  while (queue.length > 0 && seen.size < MAX_PAGES) {
    const path = queue.shift()!;
    await page.goto(path);
    const hrefs = await page.locator('a[href]').evaluateAll((as) => as.map((a) => (a as HTMLAnchorElement).href));
    for (const href of hrefs) {
      const url = new URL(href);
      if (url.origin !== site.baseUrl || /^\/(api|dev|t)\//.test(url.pathname)) continue;
      const key = url.pathname + url.search;
      if (!seen.has(key)) {
        seen.add(key);
        queue.push(key);
      }
    }
  }
  return [...seen];
}

let seq = 0;
async function readerWithTokens() {
  const user = await createUser(site.db, { email: `axe-${Date.now()}-${++seq}@example.org`, emailVerified: true, emailBlogUpdates: true });
  const token = async (type: 'one_click' | 'preference_change', expired = false) =>
    (await createUnsubscribeToken(site.db, { userId: user.id, tokenType: type, ...(expired ? { ttlSeconds: 60, now: new Date(Date.now() - 3_600_000) } : {}) }))
      .token;
  return { user, token };
}

/** How far the page scrolls sideways (0: it fits the width). */
const sidewaysOverflow = (page: Page) => page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);

describe('axe-core: zero WCAG 2.2 AA violations on every page a reader reaches', () => {
  for (const [scheme, width] of [
    ['light', 1280],
    ['dark', 1280],
    ['light', 390],
  ] as const) {
    it(`every page linked from the home page (${scheme}, ${width} px)`, async () => {
      await withPage(
        scheme,
        async (page) => {
          const pages = await crawl(page);
          expect(pages).toEqual(expect.arrayContaining(['/', '/blog', '/subscribe']));
          expect(pages.filter((p) => p.startsWith('/blog/')).length).toBeGreaterThanOrEqual(3); // the posts, code blocks included
          for (const path of pages) {
            await page.goto(path);
            await expectNoAxeViolations(page, `${path} (${scheme})`);
            expect(await sidewaysOverflow(page), `${path} scrolls sideways at ${width} px`).toBe(0);
          }
        },
        width,
      );
    }, 300_000);

    it(`the states behind forms and tokens (${scheme}, ${width} px)`, async () => {
      const { user, token } = await readerWithTokens();
      const verifyValid = await issueVerificationToken(site.db, user.id);
      const verifyExpired = await issueVerificationToken(site.db, (await readerWithTokens()).user.id, new Date(Date.now() - 72 * 3_600_000));
      const preferences = await token('preference_change');
      const unsubscribe = await token('one_click');
      const used = await token('one_click');
      const states: [string, string][] = [
        ['subscribe sent', '/subscribe?sent=1'],
        ['verify valid', `/verify?token=${verifyValid}`],
        ['verify expired', `/verify?token=${verifyExpired}`],
        ['verify unknown', '/verify?token=unknown-token-value'],
        ['preferences by token', `/preferences?token=${preferences}`],
        ['preferences saved', `/preferences?token=${preferences}&saved=1`],
        ['preferences without token (401)', '/preferences'],
        ['preferences expired token', `/preferences?token=${await token('preference_change', true)}`],
        ['unsubscribe valid', `/unsubscribe?token=${unsubscribe}`],
        ['unsubscribe expired', `/unsubscribe?token=${await token('one_click', true)}`],
        ['unsubscribe unknown', '/unsubscribe?token=unknown-token-value'],
        ['account login', '/account/login'],
        ['account register', '/account/register'],
        ['account (signed out)', '/account'],
        ['404', '/no-such-page'],
      ];
      await withPage(
        scheme,
        async (page) => {
          for (const [label, path] of states) {
            await page.goto(path);
            await expectNoAxeViolations(page, `${label} (${scheme})`);
            expect(await sidewaysOverflow(page), `${label} scrolls sideways at ${width} px`).toBe(0);
          }
          // Used token: spend it with the page's own button, then look at the "already" page.
          await page.goto(`/unsubscribe?token=${used}`);
          await page.locator('main form button[type="submit"]').first().click();
          await page.waitForLoadState();
          await expectNoAxeViolations(page, `unsubscribe done (${scheme})`);
          await page.goto(`/unsubscribe?token=${used}`);
          await expectNoAxeViolations(page, `unsubscribe used (${scheme})`);

          // Forms re-rendered with errors (the browser's own validation set aside, as a script-less client would).
          for (const path of ['/subscribe', '/account/login', '/account/register']) {
            await page.goto(path);
            await page
              .locator('main form')
              .first()
              .evaluate((f) => ((f as HTMLFormElement).noValidate = true));
            await page.locator('main form input[name="email"]').first().fill('not-an-address');
            await page.locator('main form button[type="submit"]').first().click();
            await page.waitForLoadState();
            expect(await page.locator('[role="alert"]').count(), `${path} shows its errors`).toBeGreaterThan(0);
            await expectNoAxeViolations(page, `${path} with errors (${scheme})`);
            expect(await sidewaysOverflow(page), `${path} with errors scrolls sideways at ${width} px`).toBe(0);
          }
        },
        width,
      );
    }, 300_000);
  }
});
