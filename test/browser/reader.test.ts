/**
 * The reader's journey in Debian's Chromium against the built site on local workerd:
 * subscribe from a post, confirm from the captured mail, adjust preferences, unsubscribe
 * by link and by RFC 8058 one-click, bad tokens, CSRF, and password accounts.
 * Screenshots land in test/artifacts/ (git-ignored).
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { chromium, type Browser, type BrowserContext, type Locator, type Page, type Response as PageResponse } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createUnsubscribeToken } from '../../db/readers/unsubscribe-tokens';
import { getUserByEmail } from '../../db/readers/users';
import { ROOT } from '../helpers/d1';
import { openMail as openMailIn } from './mail';
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

let site: Site;
let browser: Browser;

beforeAll(async () => {
  mkdirSync(ARTIFACTS, { recursive: true });
  site = await startSite();
  browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: CHROMIUM_ARGS });
});

afterAll(async () => {
  await browser?.close();
  await site?.stop();
});

async function withPage<T>(fn: (page: Page, context: BrowserContext) => Promise<T>): Promise<T> {
  const context = await browser.newContext({ baseURL: site.baseUrl });
  const page = await context.newPage();
  try {
    return await fn(page, context);
  } catch (error) {
    await page.screenshot({ path: join(ARTIFACTS, `failure-${Date.now()}.png`), fullPage: true }).catch(() => undefined);
    throw new Error(`${(error as Error).message}\n--- server log ---\n${site.logs()}`, { cause: error });
  } finally {
    await context.close();
  }
}

/** Waits until `locator` is visible, failing after 5 s: never a one-shot check that races a navigation. */
const shows = (locator: Locator) => locator.waitFor({ state: 'visible', timeout: 5_000 });

/**
 * Clicks a form's submit button and waits for the response to its POST to `path`. A page that
 * answers at the same URL (a form with errors) leaves nothing for waitForURL to wait for.
 */
async function submit(page: Page, button: Locator, path: string): Promise<PageResponse> {
  const [response] = await Promise.all([page.waitForResponse((r) => r.request().method() === 'POST' && new URL(r.url()).pathname === path), button.click()]);
  return response;
}

const shot = (page: Page, name: string) => page.screenshot({ path: join(ARTIFACTS, `${name}.png`), fullPage: true });

/** Opens the newest captured mail to `to` in the dev mail viewer and returns its id. */
const openMail = (page: Page, to: string, subject?: RegExp): Promise<string> => openMailIn(page, to, { db: site.db, subject });

/** A link of the open message whose URL contains `part`. */
async function messageLink(page: Page, part: string): Promise<string> {
  const hrefs = await page.locator('a[data-testid="message-link"]').evaluateAll((as) => as.map((a) => (a as HTMLAnchorElement).href));
  const href = hrefs.find((h) => h.includes(part));
  if (!href) throw new Error(`no link containing ${part} in ${JSON.stringify(hrefs)}`);
  return href;
}

/** Subscribes `email` through /subscribe and confirms it from the captured mail. */
async function subscribeAndConfirm(page: Page, email: string): Promise<void> {
  await page.goto('/subscribe');
  await page.getByLabel('Email address').fill(email);
  await page.getByRole('button', { name: 'Subscribe' }).click();
  await page.waitForURL('**/subscribe?sent=1');
  await openMail(page, email);
  await page.goto(await messageLink(page, '/verify?token='));
  await page.getByRole('button', { name: 'Confirm my subscription' }).click();
  await page.waitForURL('**/preferences?token=*');
  // The welcome mail goes after the answer: wait for it, so no test reads D1 while it is written.
  await openMail(page, email, /welcome/i);
}

describe('reader journey in a real browser', () => {
  it('subscribes from a post page, confirms from the mail, lands on preferences, picks a weekly digest without thoughts', async () => {
    const email = 'journey@example.com';
    await withPage(async (page) => {
      await page.goto('/blog');
      await page.locator('main a[href^="/blog/"]').first().click();
      await page.waitForURL('**/blog/*');
      const box = page.locator('aside.subscribe');
      await box.scrollIntoViewIfNeeded();
      await shot(page, '01-post-with-subscribe-box');

      // Keyboard only: focus the field, type, submit with Enter.
      await box.getByLabel('Email address').focus();
      await page.keyboard.type(email);
      await page.keyboard.press('Enter');
      await page.waitForURL('**/subscribe?sent=1');
      await shows(page.getByRole('heading', { name: 'Check your inbox' }));
      await shot(page, '02-check-your-inbox');

      await openMail(page, email); // the mail goes after the answer: wait for it before reading D1
      expect((await getUserByEmail(site.db, email))?.emailVerified).toBe(false);
      expect(await page.getByTestId('mail-subject').textContent()).toMatch(/confirm/i);
      await shot(page, '03-verification-mail');
      const verifyUrl = await messageLink(page, '/verify?token=');

      await page.goto(verifyUrl);
      await shot(page, '04-verify-confirm');
      expect((await getUserByEmail(site.db, email))?.emailVerified).toBe(false); // GET changed nothing
      await page.getByRole('button', { name: 'Confirm my subscription' }).click();
      await page.waitForURL('**/preferences?token=*');
      await shows(page.getByText('Your subscription is confirmed'));
      await shot(page, '05-preferences-after-verify');

      await page.getByLabel('A weekly digest').check();
      await page.getByLabel('Thoughts').uncheck();
      await page.getByRole('button', { name: 'Save preferences' }).click();
      await page.waitForURL('**saved=1');
      await shows(page.getByText('Your preferences are saved.'));
      await expect(page.getByLabel('A weekly digest').isChecked()).resolves.toBe(true);
      await expect(page.getByLabel('Thoughts').isChecked()).resolves.toBe(false);
      await shot(page, '06-preferences-saved');

      // The verify link is single use.
      await page.goto(verifyUrl);
      await shows(page.getByRole('heading', { name: 'This link does not work' }));
    });
    const user = (await getUserByEmail(site.db, email))!;
    expect(user).toMatchObject({ emailVerified: true, emailStatus: 'active', emailFrequency: 'weekly', emailThoughtUpdates: false, emailBlogUpdates: true });
  });

  it('shows errors next to the fields, announced and tied with aria-describedby', async () => {
    await withPage(async (page) => {
      await page.goto('/subscribe');
      const main = page.locator('main');
      await main.getByLabel('Email address').fill('not-an-email');
      for (const label of ['Blog posts', 'Thoughts', 'Announcements']) await main.getByLabel(label).uncheck();
      expect((await submit(page, main.getByRole('button', { name: 'Subscribe' }), '/subscribe')).status()).toBe(400);
      await expect.poll(() => page.title()).toMatch(/^Error:/);
      await shows(page.getByRole('alert'));
      const input = main.getByLabel('Email address');
      expect(await input.getAttribute('aria-invalid')).toBe('true');
      const describedBy = (await input.getAttribute('aria-describedby'))!;
      expect(await page.locator(`#${describedBy}`).textContent()).toMatch(/like name@example.com/);
      expect(await input.inputValue()).toBe('not-an-email');
      await shows(main.getByText('Choose at least one kind of email.').first());
      await shot(page, '07-subscribe-errors');
    });
  });

  it('an email’s unsubscribe link leads to a confirm page and unsubscribes; the used link then says so', async () => {
    const email = 'leaver@example.com';
    await withPage(async (page) => {
      await subscribeAndConfirm(page, email);
      await openMail(page, email);
      const unsubscribeUrl = await messageLink(page, '/unsubscribe?token=');
      await page.goto(unsubscribeUrl);
      await shows(page.getByRole('heading', { name: 'Unsubscribe' }));
      // An unsubscribe token does not open preferences (routes take only their own token types).
      await shows(page.getByText('Email preferences link in the same email'));
      await shot(page, '08-unsubscribe-confirm');
      expect((await getUserByEmail(site.db, email))?.unsubscribeAll).toBe(false); // GET changed nothing
      expect((await submit(page, page.getByRole('button', { name: 'Unsubscribe' }), '/unsubscribe')).status()).toBe(200);
      await shows(page.getByRole('heading', { name: 'You are unsubscribed' }));
      await shot(page, '09-unsubscribed');
      await page.getByRole('link', { name: 'Email preferences' }).click();
      await expect(page.getByTestId('preferences-email').textContent()).resolves.toBe(email);
      await page.goto(unsubscribeUrl);
      await shows(page.getByRole('heading', { name: 'You are already unsubscribed' }));
      await shot(page, '10-already-unsubscribed');
    });
    expect(await getUserByEmail(site.db, email)).toMatchObject({ unsubscribeAll: true, emailStatus: 'unsubscribed' });
  });

  it('unsubscribes a single content type from a content email link', async () => {
    const email = 'picky@example.com';
    await withPage(async (page) => {
      await subscribeAndConfirm(page, email);
      const user = (await getUserByEmail(site.db, email))!;
      const { token } = await createUnsubscribeToken(site.db, { userId: user.id, tokenType: 'one_click', contentType: 'blog' });
      await page.goto(`/unsubscribe?token=${token}`);
      await shows(page.getByText('Stop sending blog posts'));
      expect((await submit(page, page.getByRole('button', { name: 'Unsubscribe' }), '/unsubscribe')).status()).toBe(200);
      await shows(page.getByRole('heading', { name: 'You are unsubscribed' }));
    });
    expect(await getUserByEmail(site.db, email)).toMatchObject({ emailBlogUpdates: false, emailThoughtUpdates: true, unsubscribeAll: false });
  });

  it('takes the RFC 8058 one-click POST from the List-Unsubscribe header with no cookie and no Origin', async () => {
    const email = 'oneclick@example.com';
    const listUnsubscribe = await withPage(async (page) => {
      await subscribeAndConfirm(page, email);
      const id = await openMail(page, email);
      const raw = await (await page.request.get(`/dev/mail/${id}/raw`)).text();
      return /^List-Unsubscribe:\s*(.+)$/im.exec(raw)?.[1];
    });
    const url = /<(https?:\/\/[^>]+\/api\/unsubscribe\/one-click\?token=[^>]+)>/.exec(listUnsubscribe ?? '')?.[1];
    expect(url, String(listUnsubscribe)).toBeTruthy();
    const oneClickUrl = new URL(url!);
    const local = `${site.baseUrl}${oneClickUrl.pathname}${oneClickUrl.search}`;

    const wrongBody = await fetch(local, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: 'List-Unsubscribe=Please',
      redirect: 'manual',
    });
    expect(wrongBody.status).toBe(400);
    expect((await getUserByEmail(site.db, email))?.unsubscribeAll).toBe(false);

    const post = () =>
      fetch(local, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: 'List-Unsubscribe=One-Click',
        redirect: 'manual',
      });
    const first = await post();
    expect(first.status).toBe(200);
    expect(first.headers.get('location')).toBeNull();
    expect((await post()).status).toBe(200); // idempotent
    expect(await getUserByEmail(site.db, email)).toMatchObject({ unsubscribeAll: true, emailStatus: 'unsubscribed' });
  });

  it('shows the right page for a used, an expired and a forged token', async () => {
    const email = 'tokens@example.com';
    await withPage(async (page) => {
      await subscribeAndConfirm(page, email);
      const user = (await getUserByEmail(site.db, email))!;
      const expired = await createUnsubscribeToken(site.db, {
        userId: user.id,
        tokenType: 'one_click',
        contentType: 'blog',
        ttlSeconds: 60,
        now: new Date(Date.now() - 3_600_000),
      });
      const response = await page.goto(`/unsubscribe?token=${expired.token}`);
      expect(response?.status()).toBe(410);
      await shows(page.getByRole('heading', { name: 'This unsubscribe link has expired' }));
      await shot(page, '11-unsubscribe-expired');

      const forged = await page.goto('/unsubscribe?token=ThisIsNotARealTokenAtAll_0123456789abcdefgh');
      expect(forged?.status()).toBe(404);
      await shows(page.getByRole('heading', { name: 'This unsubscribe link does not work' }));
      await shot(page, '12-unsubscribe-forged');

      const used = await createUnsubscribeToken(site.db, { userId: user.id, tokenType: 'one_click', contentType: 'thought' });
      await page.goto(`/unsubscribe?token=${used.token}`);
      expect((await submit(page, page.getByRole('button', { name: 'Unsubscribe' }), '/unsubscribe')).status()).toBe(200);
      await shows(page.getByRole('heading', { name: 'You are unsubscribed' }));
      await page.goto(`/unsubscribe?token=${used.token}`);
      await shows(page.getByRole('heading', { name: 'You are already unsubscribed' }));

      const badVerify = await page.goto('/verify?token=forged');
      expect(badVerify?.status()).toBe(404);
      const badPrefs = await page.goto('/preferences?token=forged');
      expect(badPrefs?.status()).toBe(404);
      await shows(page.getByRole('heading', { name: 'This link does not work' }));
    });
  });

  it('refuses a cross-origin form POST with 403, from a browser and from a script', async () => {
    await withPage(async (page) => {
      // A form on another origin (about:blank → Origin: null) that posts to our subscribe route.
      await page.goto('about:blank');
      await page.setContent(
        `<form method="post" action="${site.baseUrl}/subscribe"><input name="email" value="victim@example.com"><input name="contentTypes" value="blog"><input name="frequency" value="daily"><button>go</button></form>`,
      );
      const [response] = await Promise.all([page.waitForNavigation(), page.click('button')]);
      expect(response?.status()).toBe(403);
    });
    const scripted = await fetch(`${site.baseUrl}/preferences`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', origin: 'https://evil.example' },
      body: 'frequency=weekly',
    });
    expect(scripted.status).toBe(403);
    expect(await getUserByEmail(site.db, 'victim@example.com')).toBeUndefined();
  });

  it('registers by email link, signs in, changes preferences, signs out, and the old session cookie no longer works', async () => {
    const email = 'account@example.com';
    const password = 'a sturdy passphrase';
    let oldCookie = '';
    await withPage(async (page, context) => {
      await page.goto('/');
      const nav = page.getByRole('navigation', { name: 'Main' });
      await expect(nav.getByRole('link', { name: 'Subscribe' }).getAttribute('href')).resolves.toBe('/subscribe');
      await nav.getByRole('link', { name: 'Sign in' }).click();
      await page.waitForURL('**/account/login');
      await page.getByRole('link', { name: 'Create one' }).click();
      await page.waitForURL('**/account/register');
      await shot(page, '13-register');
      await page.getByLabel('Email address').fill(email);
      await page.getByRole('button', { name: 'Email me a link' }).click();
      await page.waitForURL('**/account/register?sent=1');
      await expect(page.evaluate(() => document.activeElement?.id)).resolves.toBe('status-message');
      expect((await context.cookies()).find((c) => c.name === 'astro_d1_notify_session')).toBeUndefined();

      await openMail(page, email);
      await page.goto(await messageLink(page, '/account/password?token='));
      await page.getByLabel('New password').fill('short');
      await page.getByRole('button', { name: 'Save password' }).click();
      await expect(page.evaluate(() => document.activeElement?.id)).resolves.toBe('error-summary');
      await page.getByLabel('New password').fill(password);
      await page.getByRole('button', { name: 'Save password' }).click();
      await page.waitForURL('**/preferences?password-set=1');
      await expect(page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Account' }).getAttribute('href')).resolves.toBe('/preferences');
      await page.getByRole('button', { name: 'Sign out' }).click();
      await page.waitForURL('**/account/login?signed-out=1');
      await expect(page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Sign in' }).count()).resolves.toBe(1);

      // Sign-in leads with the emailed link; the password form comes second, under its own heading.
      await expect(page.locator('form').first().getAttribute('action')).resolves.toBe('/account/sign-in-link');
      await page.getByRole('region', { name: 'Or sign in with your password' }).getByLabel('Email address').fill(email);
      await page.getByLabel('Password', { exact: true }).fill('the wrong one');
      expect((await submit(page, page.getByRole('button', { name: 'Sign in' }), '/account/login')).status()).toBe(400);
      await shows(page.getByRole('alert'));
      expect(await page.getByRole('alert').textContent()).toMatch(/email or password is not right/);
      await expect(page.evaluate(() => document.activeElement?.id)).resolves.toBe('error-summary');
      await shot(page, '14-login-error');
      await page.getByLabel('Password', { exact: true }).fill(password);
      await page.getByRole('button', { name: 'Sign in' }).click();
      await page.waitForURL('**/preferences');
      const session = (await context.cookies()).find((c) => c.name === 'astro_d1_notify_session')!;
      expect(session).toMatchObject({ httpOnly: true, sameSite: 'Lax', path: '/' });
      oldCookie = session.value;

      // Registering chose nothing: the owner picks here, and this save starts the subscription.
      await page.getByLabel('A daily digest').check();
      await page.getByLabel('Blog posts').check();
      await page.getByLabel('Thoughts').check();
      await page.getByRole('button', { name: 'Save preferences' }).click();
      await page.waitForURL('**/preferences?saved=1');
      await expect(page.evaluate(() => document.activeElement?.id)).resolves.toBe('status-message');
      await shot(page, '15-account-preferences');
      const api = await page.request.get('/api/preferences');
      expect(await api.json()).toMatchObject({ email, frequency: 'daily', contentTypes: ['blog', 'thought'] });

      await page.getByRole('button', { name: 'Sign out' }).click();
      await page.waitForURL('**/account/login?signed-out=1');
      expect((await context.cookies()).find((c) => c.name === 'astro_d1_notify_session')).toBeUndefined();
    });
    const replay = await fetch(`${site.baseUrl}/api/preferences`, { headers: { cookie: `astro_d1_notify_session=${oldCookie}` } });
    expect(replay.status).toBe(401);
    const page = await fetch(`${site.baseUrl}/preferences`, { headers: { cookie: `astro_d1_notify_session=${oldCookie}` } });
    expect(page.status).toBe(401);
    expect(await page.text()).toContain('Email preferences');
    expect(await getUserByEmail(site.db, email)).toMatchObject({ emailFrequency: 'daily', emailAnnouncements: false });
  });

  it('signs in with an emailed link (a button, not the GET), once; and resets a password by link', async () => {
    const email = 'linked@example.com';
    await withPage(async (page) => {
      await subscribeAndConfirm(page, email);
      await page.goto('/account/login');
      await page.locator('#link-email').fill(email);
      await page.getByRole('button', { name: 'Email me a sign-in link' }).click();
      await page.waitForURL('**/account/sign-in-link?sent=1');
      await openMail(page, email);
      const link = await messageLink(page, '/account/link?token=');
      await page.goto(link);
      await page.getByRole('button', { name: 'Sign in' }).click();
      await page.waitForURL('**/preferences?signed-in=1');
      await expect(page.getByTestId('preferences-email').textContent()).resolves.toBe(email);
      await page.goto(link);
      await expect(page.getByRole('heading', { level: 1 }).textContent()).resolves.toBe('This sign-in link does not work');

      await page.goto('/preferences');
      await page.getByRole('link', { name: 'Set or change your password' }).click();
      // Signed in: the address is not asked for again.
      await expect(page.getByTestId('reset-email').textContent()).resolves.toBe(email);
      await expect(page.getByLabel('Email address').count()).resolves.toBe(0);
      await page.getByRole('button', { name: 'Email me a link' }).click();
      await page.waitForURL('**/account/reset?sent=1');
      await openMail(page, email);
      await page.goto(await messageLink(page, '/account/password?token='));
      await page.getByLabel('New password').fill('reset passphrase 1');
      await page.getByRole('button', { name: 'Save password' }).click();
      await page.waitForURL('**/preferences?password-set=1');
    });
  });

  it('follows a hostile next only to this site, and refuses a cross-site POST carrying Basic credentials', async () => {
    const login = await fetch(`${site.baseUrl}/account/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', origin: 'https://evil.example', authorization: 'Basic dXNlcjpwYXNz' },
      body: 'email=a%40example.com&password=whatever1',
      redirect: 'manual',
    });
    expect(login.status).toBe(403);
    await withPage(async (page) => {
      await page.goto(`/account/login?next=${encodeURIComponent('/\t/evil.example')}`);
      await expect(page.locator('input[name="next"]').inputValue()).resolves.toBe('/preferences');
    });
  });
});
