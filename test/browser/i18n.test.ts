/**
 * The reader's journey in two languages (issue 22): the shared demo site in English, and the
 * demo built once more with NOTIFY_LOCALE=de (the one option that switches its language).
 * Each walks subscribe → confirmation mail → confirm → preferences → unsubscribe, checks the
 * page's language attribute and runs axe on every page.
 */
import { chromium, type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { getUserByEmail } from '../../db/users';
import { translator, type Translate } from '../../integration/i18n';
import { expectNoAxeViolations } from './axe';
import { openMail } from './mail';
import { startSite, type Site } from './site';

const CHROMIUM_ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'];

let browser: Browser;
const sites: Record<string, Site> = {};

beforeAll(async () => {
  browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: CHROMIUM_ARGS });
  [sites.en, sites.de] = await Promise.all([startSite(), startSite({ NOTIFY_LOCALE: 'de' })]);
});

afterAll(async () => {
  await browser?.close();
  await Promise.all(Object.values(sites).map((s) => s.stop()));
});

/** The language the page's content is in: the nearest `lang` of <main> (the demo's layout marks it) or <html>. */
const contentLang = (page: Page) => page.evaluate(() => document.querySelector('main')?.closest('[lang]')?.getAttribute('lang'));

const heading = (page: Page, name: string) => page.getByRole('heading', { name, exact: true }).first().waitFor({ state: 'visible', timeout: 5_000 });

async function messageLink(page: Page, part: string): Promise<string> {
  const hrefs = await page.locator('a[data-testid="message-link"]').evaluateAll((as) => as.map((a) => (a as HTMLAnchorElement).href));
  const href = hrefs.find((h) => h.includes(part));
  if (!href) throw new Error(`no link containing ${part} in ${JSON.stringify(hrefs)}`);
  return href;
}

async function walk(site: Site, t: Translate): Promise<void> {
  const email = `i18n-${t.locale}@example.com`;
  const context = await browser.newContext({ baseURL: site.baseUrl });
  const page = await context.newPage();
  try {
    await page.goto('/subscribe');
    await heading(page, t('subscribe.heading'));
    expect(await contentLang(page)).toBe(t.locale);
    await expectNoAxeViolations(page, `${t.locale} /subscribe`);
    await page.getByLabel(t('form.email')).fill(email);
    await page.getByRole('button', { name: t('form.subscribeButton'), exact: true }).click();
    await page.waitForURL('**/subscribe?sent=1*');
    await heading(page, t('subscribe.sentTitle'));
    await expectNoAxeViolations(page, `${t.locale} sent`);

    // The mail goes after the answer: wait for it before reading D1 (see patient-d1.ts).
    await openMail(page, email, { db: site.db });
    expect((await getUserByEmail(site.db, email))?.locale).toBe(t.locale);
    await page.getByTestId('mail-subject').waitFor();
    expect(await page.getByTestId('mail-subject').textContent()).toBe(t('email.verify.subject', { site: 'Plain Words' }));
    const unsubscribeUrl = await messageLink(page, '/unsubscribe?token=');
    await page.goto(await messageLink(page, '/verify?token='));
    await heading(page, t('verify.confirmTitle'));
    expect(await contentLang(page)).toBe(t.locale);
    await expectNoAxeViolations(page, `${t.locale} /verify`);
    await page.getByRole('button', { name: t('verify.button') }).click();
    await page.waitForURL('**/preferences?token=*');

    await heading(page, t('preferences.confirmedHeading'));
    expect(await contentLang(page)).toBe(t.locale);
    await expectNoAxeViolations(page, `${t.locale} /preferences`);
    await page.getByLabel(t('frequency.weekly')).check();
    await page.getByRole('button', { name: t('preferences.save') }).click();
    await page.getByText(t('preferences.saved')).waitFor({ state: 'visible', timeout: 5_000 });
    expect(await getUserByEmail(site.db, email)).toMatchObject({ emailVerified: true, emailFrequency: 'weekly' });

    await page.goto(unsubscribeUrl);
    await heading(page, t('unsubscribe.confirmTitle'));
    expect(await contentLang(page)).toBe(t.locale);
    await expectNoAxeViolations(page, `${t.locale} /unsubscribe`);
    await page.getByRole('button', { name: t('unsubscribe.button'), exact: true }).click();
    await heading(page, t('unsubscribe.doneTitle'));
    await expectNoAxeViolations(page, `${t.locale} unsubscribed`);
    expect(await getUserByEmail(site.db, email)).toMatchObject({ unsubscribeAll: true });
  } catch (error) {
    throw new Error(`${(error as Error).message}\n--- server log ---\n${site.logs()}`, { cause: error });
  } finally {
    await context.close();
  }
}

describe('the reader journey in two languages', () => {
  it('English (the default): subscribe, confirm, preferences, unsubscribe', async () => {
    await walk(sites.en!, translator('en'));
  });

  it('German (NOTIFY_LOCALE=de): every page and the confirmation mail in German', async () => {
    await walk(sites.de!, translator('de'));
  });
});
