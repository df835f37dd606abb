/**
 * The send step in Chromium, JavaScript off (the console works without it), at 1280 and 390 px:
 * a post waiting for the author (as an `approval: 'manual'` build leaves it: awaiting_approval and
 * held; the build side is test/admin-approval.test.ts) shows on the overview and on its page with
 * its readers; the processor sends nothing; Schedule stores the time (UTC) and Send now fans it
 * out at once (after the answer), once. Each state at each width: no sideways scroll, axe clean, a
 * screenshot in test/artifacts/ (approval-*.png).
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { d1Of } from '../../db/client';
import { processNotifications } from '../../integration/delivery/processor';
import { createDevCaptureTransport } from '../../integration/delivery/providers/dev/transport';
import { ROOT } from '../helpers/d1';
import { addContent, addReader, testConfig } from '../helpers/delivery';
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
const ARTIFACTS = join(ROOT, 'test/artifacts');
const WIDTHS = [1280, 390] as const;

let site: Site;
let browser: Browser;
let context: BrowserContext; // JavaScript off: the forms must work without it
let axeContext: BrowserContext; // JavaScript on, only to run axe-core
let page: Page;

const sidewaysOverflow = (p: Page) => p.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);

/** At each width: the page does not scroll sideways, axe finds nothing, a screenshot is kept. */
async function checkWidths(name: string) {
  mkdirSync(ARTIFACTS, { recursive: true });
  const url = page.url();
  const audit = await axeContext.newPage();
  try {
    for (const width of WIDTHS) {
      await page.setViewportSize({ width, height: 900 });
      expect(await sidewaysOverflow(page), `${name} at ${width} px`).toBe(0);
      await page.screenshot({ path: join(ARTIFACTS, `approval-${name}-${width}.png`), fullPage: true });
      await audit.setViewportSize({ width, height: 900 });
      await audit.goto(url);
      await expectNoAxeViolations(audit, `${name} at ${width} px`);
    }
  } finally {
    await audit.close();
    await page.setViewportSize({ width: 1280, height: 900 });
  }
}

const run = () =>
  processNotifications({ db: site.db, transport: createDevCaptureTransport(site.db), config: testConfig({ SITE_URL: site.baseUrl }), clock: () => new Date() });
const queuedFor = async (slug: string) =>
  (await d1Of(site.db).prepare('SELECT count(*) AS n FROM email_notifications WHERE content_id = ?1').bind(slug).first<{ n: number }>())?.n ?? 0;

/** A post as a build with `approval: 'manual'` registers it: waiting for the author, hence held. */
async function waitingPost(slug: string, title: string) {
  const post = await addContent(site.db, { title, slug, publishDate: new Date(Date.now() - 60_000) });
  await d1Of(site.db).prepare('UPDATE content_items SET awaiting_approval = 1, delivery_held = 1 WHERE id = ?1').bind(post.id).run();
  return post;
}

beforeAll(async () => {
  site = await startSite();
  await addReader(site.db, 'approval-now@example.org', { blog: true });
  await addReader(site.db, 'approval-daily@example.org', { blog: true, frequency: 'daily' });
  browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: CHROMIUM_ARGS });
  context = await browser.newContext({ baseURL: site.baseUrl, javaScriptEnabled: false });
  axeContext = await browser.newContext({ baseURL: site.baseUrl });
  page = await context.newPage();
}, 240_000);

afterAll(async () => {
  await context?.close();
  await axeContext?.close();
  await browser?.close();
  await site?.stop();
});

describe('the send step in the console', () => {
  it('a waiting post is named on the overview and waits on its page with its readers; the processor leaves it', async () => {
    const post = await waitingPost('blog/approval-wait', 'Approval waits');
    await run();
    expect(await queuedFor(post.slug)).toBe(0);

    await page.goto('/admin');
    const item = page.locator('[data-testid="waiting-post"][data-slug="blog/approval-wait"]');
    expect(await item.getAttribute('data-state')).toBe('approval');
    // The counts include every reader the shared site has; ours are among them.
    expect(await item.textContent()).toMatch(/^Approval waits: waits for you to send it\. \d+ readers? right away, \d+ in (today|tomorrow)'s daily digest/);
    await checkWidths('overview');
    await page.goto('/admin/posts');
    expect(await page.locator('[data-testid="post-row"][data-slug="blog/approval-wait"] [data-testid="post-row-state"]').textContent()).toBe('Waiting for you');
    await page.goto('/admin');

    await item.locator('a').click();
    expect(await page.locator('[data-testid="post-state"]').textContent()).toBe('Waiting for you to send it');
    expect(await page.locator('[data-testid="send-state"]').textContent()).toBe('This post waits for you to send it.');
    expect(await page.locator('[data-testid="send-recipients"]').textContent()).toMatch(
      /^It goes to \d+ readers? right away, \d+ in (today|tomorrow)'s daily digest/,
    );
    // The preview and the test send are on the same page.
    await expect.poll(() => page.locator('[data-testid="preview-subject"]').textContent()).toContain('Approval waits');
    expect(await page.locator('[data-testid="send-test"]').count()).toBe(1);
    await checkWidths('post-waiting');
  });

  it('Schedule stores the time in UTC, and the post stays out of the fan-out until then', async () => {
    const post = await waitingPost('blog/approval-schedule', 'Approval scheduled');
    await page.goto(`/admin/posts/${post.id}`);
    const at = new Date(Date.now() + 2 * 86_400_000);
    at.setUTCSeconds(0, 0);
    const local = at.toISOString().slice(0, 16);
    await page.fill('#send-at', local);
    await page.click('[data-testid="schedule"]');
    await page.waitForURL(/notice=Scheduled/);
    expect(await page.locator('[data-testid="post-state"]').textContent()).toBe('Scheduled');
    expect(await page.locator('[data-testid="send-state"]').textContent()).toBe(`This post is scheduled for ${local.replace('T', ' ')} UTC.`);
    const row = await d1Of(site.db).prepare('SELECT send_at, delivery_held, awaiting_approval FROM content_items WHERE id = ?1').bind(post.id).first();
    expect(row).toEqual({ send_at: at.getTime() / 1000, delivery_held: 0, awaiting_approval: 0 });
    await checkWidths('post-scheduled');

    await run();
    expect(await queuedFor(post.slug)).toBe(0);
    await page.goto('/admin');
    expect(await page.locator('[data-testid="waiting-post"][data-slug="blog/approval-schedule"]').getAttribute('data-state')).toBe('scheduled');
    await page.goto('/admin/posts');
    expect(await page.locator('[data-testid="post-row"][data-slug="blog/approval-schedule"] [data-testid="post-row-state"]').textContent()).toBe('Scheduled');
  });

  it('Send now fans it out at once, after the answer, and once', async () => {
    const post = await waitingPost('blog/approval-send', 'Approval sent now');
    await page.goto(`/admin/posts/${post.id}`);
    await page.click('[data-testid="send-now"]');
    await page.waitForURL(/notice=Sent/);
    // The server's delivery run goes on after the answer (waitUntil): wait for its fan-out, no run of ours.
    const deadline = Date.now() + 40_000;
    while ((await queuedFor(post.slug)) < 2 && Date.now() < deadline) await page.waitForTimeout(300);
    const queued = await queuedFor(post.slug);
    expect(queued).toBeGreaterThanOrEqual(2); // our two readers at least
    await run();
    expect(await queuedFor(post.slug)).toBe(queued);
    await page.reload();
    expect(await page.locator('[data-testid="post-state"]').textContent()).toBe('Fanned out');
    expect(await page.locator('[data-testid="send-step"]').count()).toBe(0);
    await checkWidths('post-sent');
  });

  it('every control of the send box shows a focus ring when reached by keyboard', async () => {
    const post = await waitingPost('blog/approval-focus', 'Approval focus');
    await page.goto(`/admin/posts/${post.id}`);
    const rings: Record<string, boolean> = {};
    for (let i = 0; i < 30; i++) {
      await page.keyboard.press('Tab');
      const ring = await page.evaluate(() => {
        const el = document.activeElement as HTMLElement | null;
        if (!el?.closest('[data-testid="send-step"]')) return null;
        const style = getComputedStyle(el);
        return { key: el.getAttribute('data-testid') ?? el.id, ok: style.outlineStyle !== 'none' && parseFloat(style.outlineWidth) >= 2 };
      });
      if (ring) rings[ring.key] = (rings[ring.key] ?? true) && ring.ok; // every stop inside a control, e.g. a date field's parts
    }
    expect(rings).toEqual({ 'send-now': true, 'send-at': true, schedule: true });
  });
});
