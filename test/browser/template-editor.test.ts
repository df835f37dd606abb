/**
 * The template editor in Chromium at 390 and 1280 px against the built site (console dev bypass):
 * an unknown variable is listed by name beside the preview with the one meant, a syntax error
 * stands where the preview would be with its line, saving it is refused with the draft kept, and
 * "Send a test" mails the draft as edited into /dev/mail. No sideways scroll, axe finds nothing;
 * screenshots in test/artifacts/.
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { getEmailTemplate } from '../../db/content/templates';
import { ROOT } from '../helpers/d1';
import { expectNoAxeViolations } from './axe';
import { openMail } from './mail';
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

let site: Site;
let browser: Browser;
let editor: string;

beforeAll(async () => {
  mkdirSync(ARTIFACTS, { recursive: true });
  site = await startSite();
  browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: CHROMIUM_ARGS });
  editor = `/admin/templates/${(await getEmailTemplate(site.db, 'blog_notification'))!.id}`;
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

const sidewaysOverflow = (p: Page) => p.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);

async function checkPage(page: Page, name: string, width: number): Promise<void> {
  expect(await sidewaysOverflow(page), `${name} at ${width} px scrolls sideways`).toBe(0);
  await expectNoAxeViolations(page, `${name} at ${width} px`);
  await page.screenshot({ path: join(ARTIFACTS, `console-template-${name}-${width}.png`), fullPage: true });
}

/** Clicks a button of the editor form and waits for the editor's answer to the POST. */
async function press(page: Page, testId: string): Promise<number> {
  const [response] = await Promise.all([
    page.waitForResponse((r) => r.request().method() === 'POST' && new URL(r.url()).pathname === editor),
    page.getByTestId(testId).click(),
  ]);
  await page.waitForLoadState('load');
  return response.status();
}

describe('the template editor shows what is wrong where the author looks', () => {
  for (const width of WIDTHS) {
    it(`at ${width} px: unknown variables, a syntax error with its line, a refused save`, async () => {
      await withPage(width, async (page) => {
        await page.goto(editor);
        const subject = page.getByLabel('Subject');
        await subject.fill(`Hello {{nme}}: ${await subject.inputValue()}`);
        expect(await press(page, 'template-preview')).toBe(200);
        const unknown = page.getByTestId('unknown-variable');
        expect(await unknown.allTextContents()).toEqual(['{{nme}} in the subject part: did you mean {{site_name}}?']);
        expect(await page.getByTestId('template-preview-subject').textContent()).toMatch(/^Hello : /);
        await checkPage(page, 'unknown-variable', width);

        const html = page.getByLabel('HTML');
        const broken = (await html.inputValue()).replace('</body>', '{{#content_author}}\n</body>');
        await html.fill(broken);
        expect(await press(page, 'template-preview')).toBe(200);
        const errors = page.getByTestId('template-syntax-errors');
        expect(await errors.textContent()).toMatch(/HTML part, line \d+: the section \{\{#content_author\}\} opened on line \d+ is never closed/);
        expect(await page.getByTestId('template-preview-html').count()).toBe(0);
        await checkPage(page, 'syntax-error', width);

        expect(await press(page, 'template-save')).toBe(400);
        expect(await page.getByTestId('template-error').textContent()).toMatch(/^Not saved\. The template has a Mustache syntax error: HTML part, line \d+/);
        expect(await page.getByLabel('HTML').inputValue()).toBe(broken);
      });
    });
  }

  it('sends the draft as edited as a test, and the mail is in /dev/mail', async () => {
    const to = `template-test-${Date.now()}@example.org`;
    await withPage(1280, async (page) => {
      await page.goto(editor);
      const subject = page.getByLabel('Subject');
      await subject.fill(`Draft only: ${await subject.inputValue()}`);
      await page.getByLabel('To', { exact: true }).fill(to);
      expect(await press(page, 'template-send-test')).toBe(200);
      await page.getByText(`Test of this draft sent to ${to}.`).waitFor({ timeout: 5_000 });
      expect(await page.getByLabel('Subject').inputValue()).toMatch(/^Draft only: /);
      await checkPage(page, 'test-sent', 1280);
      await openMail(page, to, { db: site.db });
      expect(await page.locator('main').textContent()).toContain('[Test] Draft only: ');
    });
  });
});
