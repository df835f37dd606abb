/**
 * The dev mail viewer in Debian's Chromium against the built site on local workerd:
 * list → message → links, the HTML part framed under a sandbox where a hostile
 * message's scripts never run, and the .eml download.
 */
import { chromium, type Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { captureDevMail } from '../../db/delivery/dev-mail';
import { buildMessage, makeMessageId } from '../../integration/delivery/mime';
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

const TO = 'viewer-test@example.org';

function mail(subject: string, html: string) {
  const messageId = makeMessageId('localhost');
  const raw = buildMessage({
    from: { email: 'news@example.com', name: 'Plain Words' },
    to: { email: TO, name: 'Viewer Test' },
    subject,
    text: `Plain text of ${subject}\n${site.baseUrl}/\n`,
    html,
    messageId,
    date: new Date(),
    listUnsubscribeUrl: 'http://127.0.0.1/api/unsubscribe/one-click?token=t',
    listId: 'test.localhost',
  });
  return { toAddress: TO, subject, messageIdHeader: messageId, raw };
}

beforeAll(async () => {
  site = await startSite();
  browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: CHROMIUM_ARGS });
});

afterAll(async () => {
  await browser?.close();
  await site?.stop();
});

describe('dev mail viewer', () => {
  it('lists mail newest first, opens one, lists its links and never runs its scripts', async () => {
    const hostile = `<p id="greeting">Hello from the HTML part</p>
      <script>parent.document.title = 'pwned by script'; document.title = 'ran';</script>
      <img src="data:," onerror="parent.document.title = 'pwned by onerror'">
      <a href="${site.baseUrl}/blog">Read the blog</a>
      <a href="javascript:alert(1)">not a link</a>`;
    const older = await captureDevMail(site.db, mail('Older message', '<p>old</p>'));
    const newer = await captureDevMail(site.db, mail('Hostile message ☠', hostile));

    const context = await browser.newContext({ baseURL: site.baseUrl });
    const page = await context.newPage();
    const dialogs: string[] = [];
    page.on('dialog', (d) => {
      dialogs.push(d.message());
      void d.dismiss();
    });
    try {
      await page.goto(`/dev/mail?to=${encodeURIComponent(TO)}`);
      const ids = await page.locator('tr[data-testid="mail-row"]').evaluateAll((rows) => rows.map((r) => r.getAttribute('data-id')));
      expect(ids.slice(0, 2)).toEqual([newer.id, older.id]);
      await page.locator(`tr[data-id="${newer.id}"] a[data-testid="mail-link"]`).click();
      await page.waitForURL(`**/dev/mail/${newer.id}`);
      expect(await page.locator('[data-testid="mail-subject"]').textContent()).toBe('Hostile message ☠');

      const links = await page.locator('a[data-testid="message-link"]').evaluateAll((as) => as.map((a) => [(a as HTMLAnchorElement).href, a.textContent]));
      expect(links).toEqual([[`${site.baseUrl}/blog`, 'Read the blog']]);

      const frame = page.frameLocator('iframe[data-testid="mail-html"]');
      await expect.poll(() => frame.locator('#greeting').textContent()).toBe('Hello from the HTML part');
      // Inline scripts and image error handlers run before a document's load completes: wait for
      // that, not for a fixed time, before checking that none of them ran.
      await expect.poll(() => frame.locator('html').evaluate(() => document.readyState)).toBe('complete');
      expect(await page.title()).not.toMatch(/pwned/);
      const frameTitle = await frame.locator('html').evaluate(() => document.title);
      expect(frameTitle).not.toBe('ran');
      expect(dialogs).toEqual([]);
      expect(await page.locator('[data-testid="mail-text"]').textContent()).toContain('Plain text of Hostile message');

      await page.locator('a[data-testid="message-link"]').click();
      await page.waitForURL(`${site.baseUrl}/blog`);
    } finally {
      await context.close();
    }
  });

  it('serves the HTML part under a sandboxing CSP and the raw message as an .eml attachment', async () => {
    const captured = await captureDevMail(site.db, mail('Raw one', '<p>raw</p>'));
    const html = await fetch(`${site.baseUrl}/dev/mail/${captured.id}/html`);
    expect(html.status).toBe(200);
    expect(html.headers.get('content-security-policy')).toMatch(/default-src 'none'.*sandbox/);

    const raw = await fetch(`${site.baseUrl}/dev/mail/${captured.id}/raw`);
    expect(raw.status).toBe(200);
    expect(raw.headers.get('content-type')).toBe('message/rfc822');
    expect(raw.headers.get('content-disposition')).toBe(`attachment; filename="${captured.id}.eml"`);
    expect(await raw.text()).toBe(captured.raw);

    expect((await fetch(`${site.baseUrl}/dev/mail/no-such-id`)).status).toBe(404);
    expect((await fetch(`${site.baseUrl}/dev/mail/no-such-id/raw`)).status).toBe(404);
  });
  it('a link clicked inside the HTML preview opens in a new tab; the preview stays on the message', async () => {
    const captured = await captureDevMail(site.db, mail('Links in the frame', `<p><a id="inner" href="${site.baseUrl}/subscribe">Subscribe</a></p>`));
    const context = await browser.newContext({ baseURL: site.baseUrl });
    const page = await context.newPage();
    try {
      await page.goto(`/dev/mail/${captured.id}`);
      const frame = page.frameLocator('iframe[data-testid="mail-html"]');
      const [tab] = await Promise.all([context.waitForEvent('page'), frame.locator('#inner').click()]);
      await tab.waitForLoadState();
      expect(tab.url()).toBe(`${site.baseUrl}/subscribe`);
      // The new tab is a normal page (not sandboxed): the site's form works there.
      expect(await tab.locator('form button[type="submit"]').first().isEnabled()).toBe(true);
      expect(await frame.locator('#inner').textContent()).toBe('Subscribe'); // the frame did not navigate
    } finally {
      await context.close();
    }
  });

  it('the list: a space after "here.", a GET filter box that works without JavaScript, a styled delete button', async () => {
    await captureDevMail(site.db, { ...mail('For the filter', '<p>f</p>'), toAddress: 'filter-me@example.org' });
    const context = await browser.newContext({ baseURL: site.baseUrl, javaScriptEnabled: false });
    const page = await context.newPage();
    try {
      await page.goto('/dev/mail');
      await page.locator('[data-testid="mail-filter"] input[name="to"]').fill('filter-me@example.org');
      await page.locator('[data-testid="mail-filter"] button[type="submit"]').click();
      await page.waitForURL('**/dev/mail?to=filter-me%40example.org');
      const tos = await page.locator('tr[data-testid="mail-row"]').evaluateAll((rows) => rows.map((r) => r.getAttribute('data-to')));
      expect(tos).toEqual(['filter-me@example.org']);
      expect(await page.locator('[data-testid="mail-filter-current"]').textContent()).toBe('filter-me@example.org');
      const intro = (await page.locator('main p').first().textContent())!.replace(/\s+/g, ' ');
      expect(intro).toContain('stores every message here. Showing mail to filter-me@example.org');

      const style = await page.locator('[data-testid="mail-clear"]').evaluate((b) => {
        const cs = getComputedStyle(b);
        return { radius: cs.borderRadius, padding: cs.paddingLeft, weight: cs.fontWeight, border: cs.borderTopStyle };
      });
      expect(style).toEqual({ radius: '6px', padding: expect.not.stringMatching(/^[0-5]px$/), weight: '600', border: 'solid' });
    } finally {
      await context.close();
    }
  });
});
