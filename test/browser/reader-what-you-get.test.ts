/**
 * The reader pages that say what the reader gets, in Chromium at a phone (390 px) and a desktop
 * (1280 px) width against the built site: the preferences sentence before and after a save,
 * nothing ticked shown as nothing and as "unsubscribed" in the console, "unsubscribe from
 * everything" shown as no type ticked, the saved message's focus ring in the success green, and the
 * unsubscribe page naming what is still sent with its "Unsubscribe from everything" button.
 * No page scrolls sideways, axe finds nothing; screenshots land in test/artifacts/.
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createUnsubscribeToken } from '../../db/readers/unsubscribe-tokens';
import { createUser, getUserByEmail } from '../../db/readers/users';
import { ROOT } from '../helpers/d1';
import { expectNoAxeViolations } from './axe';
import { startSite, type Site } from './site';

const ARTIFACTS = join(ROOT, 'test/artifacts');
const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
];
const WIDTHS = [390, 1280] as const;
const SUCCESS_GREEN = 'rgb(31, 122, 58)';

let site: Site;
let browser: Browser;
let seq = 0;

beforeAll(async () => {
  mkdirSync(ARTIFACTS, { recursive: true });
  site = await startSite();
  browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: CHROMIUM_ARGS });
});

afterAll(async () => {
  await browser?.close();
  await site?.stop();
});

async function withPage<T>(width: number, fn: (page: Page) => Promise<T>): Promise<T> {
  const context = await browser.newContext({ baseURL: site.baseUrl, viewport: { width, height: 800 } });
  const page = await context.newPage();
  try {
    return await fn(page);
  } catch (error) {
    await page.screenshot({ path: join(ARTIFACTS, `failure-${Date.now()}.png`), fullPage: true }).catch(() => undefined);
    throw new Error(`${(error as Error).message}\n--- server log ---\n${site.logs()}`, { cause: error });
  } finally {
    await context.close();
  }
}

const reader = async (width: number) =>
  createUser(site.db, { email: `gets-${width}-${Date.now()}-${++seq}@example.org`, emailVerified: true, emailBlogUpdates: true, emailThoughtUpdates: true });

/** How far the document is wider than the viewport (0 when nothing scrolls sideways). */
const sidewaysOverflow = (p: Page) => p.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);

async function checkPage(page: Page, name: string, width: number): Promise<void> {
  expect(await sidewaysOverflow(page), `${name} at ${width} px scrolls sideways`).toBe(0);
  await expectNoAxeViolations(page, `${name} at ${width} px`);
  await page.screenshot({ path: join(ARTIFACTS, `reader-${name}-${width}.png`), fullPage: true });
}

/** Saves the preferences form with the keyboard (Enter on the button), as a keyboard user would: focus rings then show. */
async function saveWithKeyboard(page: Page): Promise<void> {
  await page.getByRole('button', { name: 'Save preferences' }).focus();
  // The URL already says saved=1 after the first save: wait for the page the redirect brings, not the URL.
  const reloaded = page.waitForResponse((r) => r.request().method() === 'GET' && new URL(r.url()).pathname === '/preferences' && r.url().includes('saved=1'));
  await page.keyboard.press('Enter');
  await reloaded;
  await page.waitForLoadState('load');
}

describe('preferences say what the reader gets', () => {
  for (const width of WIDTHS) {
    it(`at ${width} px: the sentence, nothing ticked, the console, and the success message's focus ring`, async () => {
      const user = await reader(width);
      const { token } = await createUnsubscribeToken(site.db, { userId: user.id, tokenType: 'preference_change' });
      await withPage(width, async (page) => {
        await page.goto(`/preferences?token=${token}`);
        const summary = page.getByTestId('preferences-summary');
        expect(await summary.textContent()).toBe('You get blog posts and thoughts right away, one email per post.');
        await checkPage(page, 'preferences', width);

        await page.getByLabel('A weekly digest').check();
        await page.getByLabel('Thoughts').uncheck();
        await saveWithKeyboard(page);
        expect(await summary.textContent()).toBe('You get blog posts in a weekly digest.');

        for (const label of ['Blog posts', 'Thoughts', 'Announcements']) await page.getByLabel(label).uncheck();
        await saveWithKeyboard(page);
        expect(await summary.textContent()).toBe('You get no email from this blog.');
        expect(await page.getByLabel('Unsubscribe from everything').isChecked()).toBe(true);
        const ring = await page.evaluate(() => {
          const el = document.activeElement as HTMLElement;
          const style = getComputedStyle(el);
          return { id: el.id, color: style.outlineColor, style: style.outlineStyle };
        });
        expect(ring).toEqual({ id: 'status-message', color: SUCCESS_GREEN, style: 'solid' });
        await checkPage(page, 'preferences-nothing', width);

        await page.goto(`/admin/subscribers?q=${encodeURIComponent(user.email)}`);
        expect(await page.getByTestId('subscriber-row').locator('td').first().textContent()).toBe('unsubscribed');
      });
      expect(await getUserByEmail(site.db, user.email)).toMatchObject({ unsubscribeAll: true, emailStatus: 'unsubscribed' });
    });
  }

  it('"Unsubscribe from everything" leaves the form with no type ticked and the box ticked', async () => {
    const user = await reader(1280);
    const { token } = await createUnsubscribeToken(site.db, { userId: user.id, tokenType: 'preference_change' });
    await withPage(1280, async (page) => {
      await page.goto(`/preferences?token=${token}`);
      await page.getByLabel('Unsubscribe from everything').check();
      await saveWithKeyboard(page);
      for (const label of ['Blog posts', 'Thoughts', 'Announcements']) expect(await page.getByLabel(label).isChecked(), label).toBe(false);
      expect(await page.getByLabel('Unsubscribe from everything').isChecked()).toBe(true);
      expect(await page.getByTestId('preferences-summary').textContent()).toBe('You get no email from this blog.');
    });
  });
});

describe('the unsubscribe page says what is still sent', () => {
  for (const width of WIDTHS) {
    it(`at ${width} px: after one type it names the rest and offers everything`, async () => {
      const user = await reader(width);
      const { token } = await createUnsubscribeToken(site.db, { userId: user.id, tokenType: 'one_click', contentType: 'blog' });
      await withPage(width, async (page) => {
        await page.goto(`/unsubscribe?token=${token}`);
        await Promise.all([page.waitForResponse((r) => r.request().method() === 'POST'), page.getByRole('button', { name: 'Unsubscribe' }).click()]);
        expect(await page.getByTestId('unsubscribe-still').textContent()).toBe('You still get thoughts right away, one email per post.');
        await checkPage(page, 'unsubscribed-one-type', width);

        await Promise.all([
          page.waitForResponse((r) => r.request().method() === 'POST'),
          page.getByRole('button', { name: 'Unsubscribe from everything' }).click(),
        ]);
        await page.getByRole('heading', { name: 'You are unsubscribed' }).waitFor({ timeout: 5_000 });
        expect(await page.getByText('We will not send you all email from this blog any more.', { exact: false }).count()).toBe(1);
        expect(await page.getByRole('button', { name: 'Unsubscribe from everything' }).count()).toBe(0);
        await checkPage(page, 'unsubscribed-everything', width);
      });
      expect(await getUserByEmail(site.db, user.email)).toMatchObject({ unsubscribeAll: true, emailStatus: 'unsubscribed' });
    });
  }
});
