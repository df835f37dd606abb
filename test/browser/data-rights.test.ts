/**
 * "Download my data" and "Delete my account" in Debian's Chromium from the preferences page
 * (a token link and a signed-in reader), against the built site on local workerd; axe (WCAG
 * 2.2 AA) on the preferences page with its new section, the confirm step and the done page.
 */
import { readFileSync } from 'node:fs';
import { chromium, type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CONSENT_TEXT } from '../../db/readers/consent';
import { createUnsubscribeToken } from '../../db/readers/unsubscribe-tokens';
import { createUser, getUserByEmail } from '../../db/readers/users';
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

async function withPage<T>(fn: (page: Page) => Promise<T>): Promise<T> {
  const context = await browser.newContext({ baseURL: site.baseUrl, acceptDownloads: true });
  const page = await context.newPage();
  try {
    return await fn(page);
  } catch (error) {
    throw new Error(`${(error as Error).message}\n--- server log ---\n${site.logs()}`, { cause: error });
  } finally {
    await context.close();
  }
}

async function readerWithLink(email: string) {
  const user = await createUser(site.db, { email, emailVerified: true, emailBlogUpdates: true, emailFrequency: 'daily' });
  const { token } = await createUnsubscribeToken(site.db, { userId: user.id, tokenType: 'preference_change' });
  return { user, link: `/preferences?token=${encodeURIComponent(token)}` };
}

describe('your data, from the preferences page', () => {
  it('downloads the JSON of everything we keep, as an attachment, with the token in the POST body only', async () => {
    const { link } = await readerWithLink('browser-export@example.com');
    await withPage(async (page) => {
      await page.goto(link);
      await page.getByRole('heading', { name: 'Your data' }).waitFor();
      await expectNoAxeViolations(page, 'preferences with the Your data section');
      const [request, download] = await Promise.all([
        page.waitForRequest((r) => new URL(r.url()).pathname === '/preferences/export'),
        page.waitForEvent('download'),
        page.getByRole('button', { name: 'Download my data' }).click(),
      ]);
      expect(request.method()).toBe('POST');
      expect(request.url()).not.toContain('token='); // never in a URL that reaches logs
      expect(download.suggestedFilename()).toMatch(/^my-data-\d{4}-\d{2}-\d{2}\.json$/);
      const data = JSON.parse(readFileSync((await download.path())!, 'utf8'));
      expect(data.account.email).toBe('browser-export@example.com');
      expect(data.preferences).toEqual({ contentTypes: ['blog'], frequency: 'daily', unsubscribeAll: false });
      expect(data).toHaveProperty('consents');
      expect(data).toHaveProperty('sessionCount', 0);
    });
  });

  it('deletes the account after a confirm step, and the link stops working', async () => {
    const { link } = await readerWithLink('browser-erase@example.com');
    await withPage(async (page) => {
      await page.goto(link);
      // What cannot be undone looks it: red, apart from the safe "Download my data" beside it.
      const colour = (name: string) => page.getByRole('button', { name, exact: true }).evaluate((b) => getComputedStyle(b).color);
      expect(await colour('Delete my account')).toBe('rgb(179, 38, 30)');
      expect(await colour('Download my data')).not.toBe('rgb(179, 38, 30)');
      await page.getByRole('button', { name: 'Delete my account' }).click();
      await page.getByRole('heading', { name: 'Delete your account?' }).waitFor();
      const confirm = page.getByRole('button', { name: 'Yes, delete my account' });
      expect(await confirm.evaluate((b) => getComputedStyle(b).backgroundColor)).toBe('rgb(179, 38, 30)');
      expect(await page.getByTestId('delete-email').textContent()).toBe('browser-erase@example.com');
      await expectNoAxeViolations(page, 'delete: confirm step');
      expect(await getUserByEmail(site.db, 'browser-erase@example.com')).toBeDefined(); // asking changed nothing
      await page.getByRole('button', { name: 'Yes, delete my account' }).click();
      await page.getByRole('heading', { name: 'Your account is deleted' }).waitFor();
      expect(new URL(page.url()).pathname + new URL(page.url()).search).toBe('/preferences/delete?done=1');
      await expectNoAxeViolations(page, 'delete: done page');
      expect(await getUserByEmail(site.db, 'browser-erase@example.com')).toBeUndefined();
      await page.goto(link);
      await page.getByRole('heading', { name: 'This link does not work' }).waitFor();
    });
  });

  it('refuses a cross-site POST to the export and delete routes (Origin check)', async () => {
    const { link } = await readerWithLink('browser-csrf@example.com');
    const token = new URL(link, site.baseUrl).searchParams.get('token')!;
    for (const path of ['/preferences/export', '/preferences/delete']) {
      const response = await fetch(`${site.baseUrl}${path}`, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded', origin: 'https://evil.example' },
        body: new URLSearchParams({ token, confirm: 'yes' }),
        redirect: 'manual',
      });
      expect(response.status, path).toBe(403);
    }
    expect(await getUserByEmail(site.db, 'browser-csrf@example.com')).toBeDefined();
  });

  it('shows the versioned consent wording, and keeps the honeypot out of sight, out of the tab order and away from assistive tech on /subscribe', async () => {
    await withPage(async (page) => {
      await page.goto('/subscribe');
      const trap = page.locator('main input[name="website"]');
      expect(await trap.getAttribute('tabindex')).toBe('-1');
      expect(await trap.getAttribute('autocomplete')).toBe('off');
      const box = (await trap.boundingBox())!;
      expect(box.x + box.width).toBeLessThan(0);
      expect(await page.locator('main .hp-field').getAttribute('aria-hidden')).toBe('true');
      // The consent wording is shown, with the version every consent record stores.
      const wording = page.locator('main .consent-text');
      expect(await wording.getAttribute('data-consent-version')).toBe(CONSENT_TEXT.version);
      expect(await wording.textContent()).toBe(CONSENT_TEXT.text);
      await expectNoAxeViolations(page, 'subscribe with the honeypot');
    });
  });
});
