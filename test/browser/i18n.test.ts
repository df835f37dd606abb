/**
 * The reader's journey in every shipped language and one right-to-left one (issue 22): the
 * shared demo site in English, the demo built once more with NOTIFY_LOCALE=de (the one option
 * that switches its language), and one host site with Astro's i18n routing (en, de, fr, es, and
 * ar with the host's own Arabic words) where each walk starts from the host's /de/, /fr/… page.
 * Each walks subscribe → confirmation mail → confirm → preferences → unsubscribe → sign in and
 * register, checks the page's and the mail's language and direction, and runs axe on every page.
 */
import { join } from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { getPlatformProxy } from 'wrangler';
import { createDb } from '../../db/client';
import { getUserByEmail } from '../../db/readers/users';
import { translator, type Translate } from '../../integration/i18n';
import { ar } from '../fixtures/messages-ar';
import { HOST_BINDING, launchHostSite } from '../helpers/host-site';
import { expectNoAxeViolations } from './axe';
import { openMail } from './mail';
import { patientD1 } from './patient-d1';
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

let browser: Browser;
const sites: Record<string, Site> = {};

/** The host site with Astro's i18n routing (one build serves de, fr, es and the right-to-left ar). */
async function startI18nHost(): Promise<Site> {
  const host = await launchHostSite(
    { messages: { ar } },
    { i18n: { locales: ['en', 'de', 'fr', 'es', 'ar'], defaultLocale: 'en', routing: { prefixDefaultLocale: false } } },
    'test/fixtures/host-site-i18n',
  );
  const proxy = await getPlatformProxy<Record<string, D1Database>>({
    configPath: join(host.root, 'wrangler.jsonc'),
    persist: { path: join(host.root, '.wrangler/state/v3') },
  });
  return {
    baseUrl: host.baseUrl,
    db: createDb(patientD1(proxy.env[HOST_BINDING]!)),
    logs: host.server.logs,
    stop: async () => {
      await proxy.dispose().catch(() => undefined);
      await host.stop();
    },
  };
}

beforeAll(async () => {
  browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: CHROMIUM_ARGS });
  [sites.en, sites.de, sites.host] = await Promise.all([startSite(), startSite({ NOTIFY_LOCALE: 'de' }), startI18nHost()]);
}, 480_000);

afterAll(async () => {
  await browser?.close();
  await Promise.all(Object.values(sites).map((s) => s.stop()));
});

/** The language the page's content is in: the nearest `lang` of <main> (the demo's layout marks it) or <html>. */
const contentLang = (page: Page) => page.evaluate(() => document.querySelector('main')?.closest('[lang]')?.getAttribute('lang'));
/** Its direction: the nearest `dir` of <main> or <html> (none: left to right). */
const contentDir = (page: Page) => page.evaluate(() => document.querySelector('main')?.closest('[dir]')?.getAttribute('dir') ?? 'ltr');

/** Language and direction of the page, as the reader's translator has them. */
async function expectLanguage(page: Page, t: Translate): Promise<void> {
  expect(await contentLang(page)).toBe(t.locale);
  expect(await contentDir(page)).toBe(t.dir);
}

const heading = (page: Page, name: string) => page.getByRole('heading', { name, exact: true }).first().waitFor({ state: 'visible', timeout: 5_000 });

async function messageLink(page: Page, part: string): Promise<string> {
  const hrefs = await page.locator('a[data-testid="message-link"]').evaluateAll((as) => as.map((a) => (a as HTMLAnchorElement).href));
  const href = hrefs.find((h) => h.includes(part));
  if (!href) throw new Error(`no link containing ${part} in ${JSON.stringify(hrefs)}`);
  return href;
}

/**
 * `start`: the page whose subscribe form the reader uses: the injected /subscribe (the site's
 * language), or a host page of Astro's i18n routing (/de/: the form takes the page's language).
 */
type Walk = { site: Site; t: Translate; siteName: string; start?: string };

async function walk({ site, t, siteName, start = '/subscribe' }: Walk): Promise<void> {
  const email = `i18n-${t.locale}@example.com`;
  const context = await browser.newContext({ baseURL: site.baseUrl });
  const page = await context.newPage();
  try {
    await page.goto(start);
    if (start === '/subscribe') await heading(page, t('subscribe.heading'));
    else expect(await page.getByTestId('subscribe-form').getAttribute('lang')).toBe(t.locale);
    await expectLanguage(page, t);
    await expectNoAxeViolations(page, `${t.locale} ${start}`);
    await page.getByLabel(t('form.email')).fill(email);
    await page.getByRole('button', { name: t('form.subscribeButton'), exact: true }).click();
    await page.waitForURL('**/subscribe?sent=1*');
    await heading(page, t('subscribe.sentTitle'));
    await expectLanguage(page, t);
    await expectNoAxeViolations(page, `${t.locale} sent`);

    // The mail goes after the answer: wait for it before reading D1 (see patient-d1.ts).
    const mailId = await openMail(page, email, { db: site.db });
    expect((await getUserByEmail(site.db, email))?.locale).toBe(t.locale);
    await page.getByTestId('mail-subject').waitFor();
    expect(await page.getByTestId('mail-subject').textContent()).toBe(t('email.verify.subject', { site: siteName }));
    const mailHtml = await (await page.request.get(`/dev/mail/${mailId}/html`)).text();
    expect(mailHtml).toContain(`<html lang="${t.locale}" dir="${t.dir}">`);
    expect(mailHtml).toContain(t('email.verify.button'));
    const unsubscribeUrl = await messageLink(page, '/unsubscribe?token=');
    await page.goto(await messageLink(page, '/verify?token='));
    await heading(page, t('verify.confirmTitle'));
    await expectLanguage(page, t);
    await expectNoAxeViolations(page, `${t.locale} /verify`);
    await page.getByRole('button', { name: t('verify.button') }).click();
    await page.waitForURL('**/preferences?token=*');

    await heading(page, t('preferences.confirmedHeading'));
    await expectLanguage(page, t);
    await expectNoAxeViolations(page, `${t.locale} /preferences`);
    await page.getByLabel(t('frequency.weekly')).check();
    await page.getByRole('button', { name: t('preferences.save') }).click();
    await page.getByText(t('preferences.saved')).waitFor({ state: 'visible', timeout: 5_000 });
    expect(await getUserByEmail(site.db, email)).toMatchObject({ emailVerified: true, emailFrequency: 'weekly' });

    await page.goto(unsubscribeUrl);
    await heading(page, t('unsubscribe.confirmTitle'));
    await expectLanguage(page, t);
    await expectNoAxeViolations(page, `${t.locale} /unsubscribe`);
    await page.getByRole('button', { name: t('unsubscribe.button'), exact: true }).click();
    await heading(page, t('unsubscribe.doneTitle'));
    await expectNoAxeViolations(page, `${t.locale} unsubscribed`);
    expect(await getUserByEmail(site.db, email)).toMatchObject({ unsubscribeAll: true });

    // The account pages in the same language: sign in (the emailed link first) and register.
    await page.goto(`/account/login?lang=${t.locale}`);
    await heading(page, t('account.signInTitle'));
    await expectLanguage(page, t);
    await expectNoAxeViolations(page, `${t.locale} /account/login`);
    await page.goto(`/account/register?lang=${t.locale}`);
    await heading(page, t('account.registerTitle'));
    await expectLanguage(page, t);
    await expectNoAxeViolations(page, `${t.locale} /account/register`);
  } catch (error) {
    throw new Error(`${(error as Error).message}\n--- server log ---\n${site.logs()}`, { cause: error });
  } finally {
    await context.close();
  }
}

describe('the reader journey in two languages', () => {
  it('English (the default): subscribe, confirm, preferences, unsubscribe', async () => {
    await walk({ site: sites.en!, t: translator('en'), siteName: 'Plain Words' });
  });

  it('German (NOTIFY_LOCALE=de): every page and the confirmation mail in German', async () => {
    await walk({ site: sites.de!, t: translator('de'), siteName: 'Plain Words' });
  });
});

describe('a host site with Astro’s i18n routing', () => {
  it('subscribing from its /de/ page stores the reader with de; the mail and the pages it leads to are German', async () => {
    await walk({ site: sites.host!, t: translator('de'), siteName: 'Host Site', start: '/de/' });
  });

  it('French and Spanish from /fr/ and /es/: each page in its language, axe clean', async () => {
    await walk({ site: sites.host!, t: translator('fr'), siteName: 'Host Site', start: '/fr/' });
    await walk({ site: sites.host!, t: translator('es'), siteName: 'Host Site', start: '/es/' });
  }, 120_000);

  it('right to left: from /ar/ with the host’s Arabic words, pages and the mail carry dir="rtl"', async () => {
    const t = translator('ar', { ar });
    expect(t.dir).toBe('rtl');
    await walk({ site: sites.host!, t, siteName: 'Host Site', start: '/ar/' });
  });
});
