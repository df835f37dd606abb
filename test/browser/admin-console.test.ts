/**
 * The author console in Debian's Chromium against the built site on local workerd, signed in
 * through the loopback dev bypass (ADMIN_DEV_BYPASS=1 with the dev transport). Every admin page
 * gets a screenshot under test/artifacts/ and an axe-core WCAG 2.2 AA check with zero violations.
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { listDevMail } from '../../db/delivery/dev-mail';
import { processNotifications } from '../../integration/delivery/processor';
import { createDevCaptureTransport } from '../../integration/delivery/providers/dev/transport';
import { ROOT } from '../helpers/d1';
import { addContent, addReader, testConfig } from '../helpers/delivery';
import type { Db } from '../../db/client';
import { d1Of } from '../../db/client';
import { startSite, type Site } from './site';

/** Notifications queued for a post. */
async function queuedFor(db: Db, slug: string): Promise<number> {
  const row = await d1Of(db).prepare('SELECT count(*) AS n FROM email_notifications WHERE content_id = ?1').bind(slug).first<{ n: number }>();
  return row?.n ?? 0;
}

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
const AXE_SOURCE = readFileSync(join(ROOT, 'node_modules/axe-core/axe.min.js'), 'utf8');
const AXE_TAGS = ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa'];

let site: Site;
let browser: Browser;
let context: BrowserContext; // JavaScript off: the console must work without it
let axeContext: BrowserContext; // JavaScript on, only to run axe-core
let page: Page;
let lastPreviewSubject = '';

/** This file's own axe helper: inject axe-core, run the WCAG 2.2 AA rules, return the violations. */
async function axeViolations(p: Page): Promise<{ id: string; nodes: string[] }[]> {
  await p.addScriptTag({ content: AXE_SOURCE });
  return p.evaluate(async (tags) => {
    const axe = (
      window as unknown as { axe: { run: (ctx: unknown, opts: unknown) => Promise<{ violations: { id: string; nodes: { target: unknown[] }[] }[] }> } }
    ).axe;
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
      const svg = page.locator(`[data-testid="chart-${chart}"] svg[role="img"]`).first(); // the wide drawing
      expect(await svg.getAttribute('aria-labelledby')).toBe(`${chart}-title ${chart}-desc`);
      expect(await page.locator(`[data-testid="chart-${chart}"] table tbody tr`).count()).toBeGreaterThan(0);
    }
    expect(await page.locator('[data-testid="subscriber-total"]').textContent()).toMatch(/^(1 address|[\d,]+ addresses): /);
    await checkPage('overview');
  });

  it("previews a post's email and sends a test, which arrives in the dev capture", async () => {
    await page.goto('/admin/posts');
    await checkPage('posts');
    const first = page.locator('[data-testid="post-row"] th a').first();
    const title = (await first.textContent())!.trim();
    await first.click();
    await page.waitForURL(/\/admin\/posts\/[^/]+$/);
    lastPreviewSubject = (await page.locator('[data-testid="preview-subject"]').textContent())!;
    expect(lastPreviewSubject).toContain(title);
    expect(await page.locator('[data-testid="preview-text"]').textContent()).toContain(title);
    const srcdoc = await page.locator('[data-testid="preview-html"]').getAttribute('srcdoc');
    expect(srcdoc).toContain('<html');
    await expect.poll(() => page.frameLocator('[data-testid="preview-html"]').locator('body').textContent(), { timeout: 10_000 }).toContain(title);
    await checkPage('post');

    await page.fill('#test-to', 'author-test@example.org');
    await page.click('[data-testid="send-test"]');
    await page.waitForURL(/notice=/);
    expect(await page.locator('[data-testid="admin-notice"]').textContent()).toBe('Test sent to author-test@example.org.');
    await page.goto('/dev/mail?to=author-test@example.org');
    expect(await page.locator('tr[data-testid="mail-row"] a').first().textContent()).toBe(`[Test] ${lastPreviewSubject}`);
  });

  it('the post preview and its test email in /dev/mail are the same email, the whole post in it, and that email is axe-clean', async () => {
    const slug = 'blog/email-is-the-feed-that-works';
    const stored = await d1Of(site.db).prepare('SELECT email_text FROM content_items WHERE slug = ?1').bind(slug).first<{ email_text: string }>();
    const lastParagraph = stored!.email_text.split(/\n{2,}/).at(-1)!;
    expect(lastParagraph.length).toBeGreaterThan(20);
    await page.goto('/admin/posts');
    await page.click(`[data-testid="post-row"][data-slug="${slug}"] th a`);
    await page.waitForURL(/\/admin\/posts\/[^/]+$/);
    const previewHtml = (await page.locator('[data-testid="preview-html"]').getAttribute('srcdoc'))!;
    expect(await page.locator('[data-testid="preview-text"]').textContent()).toContain(lastParagraph);
    await page.fill('#test-to', 'same-email@example.org');
    await page.click('[data-testid="send-test"]');
    await page.waitForURL(/notice=/);

    const [sent] = await listDevMail(site.db, { to: 'same-email@example.org' });
    await page.goto(`/dev/mail/${sent!.id}`);
    const captured = await (await context.request.get(`/dev/mail/${sent!.id}/html`)).text();
    // The post part (title to footer) is byte for byte the same; only the footer names the recipient.
    const post = (html: string) => html.slice(html.indexOf('<h1'), html.indexOf('You get this email'));
    expect(post(previewHtml).length).toBeGreaterThan(2_000);
    expect(post(captured)).toBe(post(previewHtml));
    expect(await page.locator('[data-testid="mail-text"]').textContent()).toContain(lastParagraph);

    const audit = await axeContext.newPage();
    try {
      await audit.setContent(previewHtml);
      expect(await axeViolations(audit)).toEqual([]);
    } finally {
      await audit.close();
    }
  });

  it('holds a post, and the processor sends nothing for it', async () => {
    const reader = 'held-reader@example.org';
    await addReader(site.db, reader, { blog: true });
    const post = await addContent(site.db, { title: 'Console hold test', publishDate: new Date(Date.now() - 60_000), slug: 'blog/console-hold-test' });
    await page.goto('/admin/posts');
    await page.click('[data-testid="post-row"][data-slug="blog/console-hold-test"] th a');
    await page.click('[data-testid="hold"]');
    await page.waitForURL(/notice=/);
    expect(await page.locator('[data-testid="post-state"]').textContent()).toBe('Held');
    await checkPage('post-held');
    const heldUrl = page.url();
    await page.goto('/admin');
    expect(await page.locator('[data-testid="waiting-post"][data-slug="blog/console-hold-test"]').textContent()).toMatch(
      /^Console hold test: held by you\. \d+ readers? right away/,
    );
    await page.goto(heldUrl);

    const deps = { db: site.db, transport: createDevCaptureTransport(site.db), config: testConfig({ SITE_URL: site.baseUrl }), clock: () => new Date() };
    await processNotifications(deps);
    const subjects = async () => (await listDevMail(site.db, { to: reader })).map((m) => m.subject);
    expect((await subjects()).filter((x) => x.includes(post.title))).toEqual([]);
    expect(await queuedFor(site.db, post.slug)).toBe(0);

    await page.click('[data-testid="release"]');
    await page.waitForURL(/notice=Post%20released/);
    await processNotifications(deps);
    expect((await subjects()).filter((x) => x.includes(post.title))).toHaveLength(1);

    // the post's results: the readers it was sent to (other test files share this site's readers), and who
    await page.reload();
    const sentTo = Number(await page.locator('[data-testid="result-sent"]').textContent());
    await page.click('[data-testid="result-sent"]');
    const names = await page.locator('[data-testid="result-readers"] li').allTextContents();
    expect(names).toContain(reader);
    expect(names).toHaveLength(sentTo);
    expect(sentTo).toBe(
      await d1Of(site.db).prepare("SELECT count(*) AS n FROM email_notifications WHERE content_id = ?1 AND status = 'sent'").bind(post.slug).first<number>('n'),
    );
    await checkPage('post-results');
  });

  it('imports a 1,000-line CSV after a dry run and exports it back', async () => {
    const lines = ['email,types,frequency', ...Array.from({ length: 1000 }, (_, i) => `bulk${String(i).padStart(4, '0')}@import.example,blog thought,weekly`)];
    lines[500] = 'not-an-address,,'; // line 501 of the file
    const file = join(ARTIFACTS, 'import-1000.csv');
    mkdirSync(ARTIFACTS, { recursive: true });
    writeFileSync(file, `${lines.join('\n')}\n`);

    await page.goto('/admin/subscribers');
    await checkPage('subscribers');
    await page.click('a[href="/admin/subscribers/import"]');
    await checkPage('import');
    await page.setInputFiles('#file', file);
    await page.click('[data-testid="import-check"]');
    expect(await page.locator('[data-testid="import-new"]').textContent()).toBe('999');
    expect(await page.locator('[data-testid="import-invalid"]').textContent()).toBe('1');
    expect(await page.locator('[data-testid="import-invalid-lines"] tbody td').first().textContent()).toBe('501');
    await page.screenshot({ path: join(ARTIFACTS, 'admin-import-summary.png'), fullPage: true });
    await page.click('[data-testid="import-confirm"]');
    expect(await page.locator('[data-testid="import-done"]').textContent()).toContain('999 new readers');
    expect(await page.locator('[data-testid="import-confirmations"]').textContent()).toMatch(
      /^999 confirmation mails queued: they go out with the next delivery run/,
    );
    await page.screenshot({ path: join(ARTIFACTS, 'admin-import-done.png'), fullPage: true });
    const [download] = await Promise.all([page.waitForEvent('download'), page.click('[data-testid="import-rejected"]')]);
    const rejected = readFileSync((await download.path())!, 'utf8')
      .trim()
      .split(/\r?\n/);
    expect(rejected).toEqual(['email,types,frequency,line,problem', 'not-an-address,,,501,not an email address']);
    await page.click('[data-testid="import-readers"]');
    expect(await page.locator('[data-testid="subscriber-count"]').textContent()).toBe('999');

    await page.goto('/admin/subscribers?q=%40import.example&frequency=weekly');
    expect(await page.locator('[data-testid="subscriber-count"]').textContent()).toBe('999');
    await page.click('[data-testid="subscriber-row"] th a >> nth=0');
    expect(await page.locator('[data-testid="subscriber-status"]').textContent()).toBe('unconfirmed');
    await checkPage('subscriber');

    const exported = await context.request.get('/admin/subscribers/export.csv?q=%40import.example');
    expect(exported.status()).toBe(200);
    const csv = (await exported.text()).trim().split(/\r?\n/);
    expect(csv[0]).toBe('email,status,types,frequency,joined');
    expect(csv).toHaveLength(1000);
    expect(csv.slice(1).map((l) => l.split(',')[0])).toEqual(
      lines
        .slice(1)
        .filter((l) => l.includes('@'))
        .map((l) => l.split(',')[0]),
    );
  });

  it('edits a template and sees the preview change', async () => {
    await page.goto('/admin/templates');
    await checkPage('templates');
    await page.click('[data-testid="template-row"][data-name="blog_notification"] th a');
    const before = await page.locator('[data-testid="template-preview-subject"]').textContent();
    await checkPage('template');
    await page.fill('#subject', 'Fresh from the console: {{content_title}}');
    await page.click('[data-testid="template-preview"]');
    const after = await page.locator('[data-testid="template-preview-subject"]').textContent();
    expect(after).toMatch(/^Fresh from the console: /);
    expect(after).not.toBe(before);
    const version = Number(await page.locator('[data-testid="template-version"]').textContent());
    await page.click('[data-testid="template-save"]');
    await page.waitForURL(/notice=/);
    expect(Number(await page.locator('[data-testid="template-version"]').textContent())).toBe(version + 1);
    expect(await page.locator('[data-testid="template-preview-subject"]').textContent()).toBe(after);
    await page.click(`[data-testid="restore-${version}"]`);
    await page.waitForURL(/notice=/);
    expect(await page.locator('[data-testid="template-preview-subject"]').textContent()).toBe(before);
  });
});
