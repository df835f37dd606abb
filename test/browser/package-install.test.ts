/**
 * The package on a stranger's blog: test/fixtures/starter-site (its own layout, collections
 * `posts` and `notes` with the blog starter's `pubDate`, `base: '/journal'`, pages under the
 * `/newsletter` prefix) installs astro-d1-notify from the `npm pack` tarball, copies its
 * migrations, builds, and a reader subscribes, confirms, changes preferences and leaves by
 * one-click, in Chromium. The upload (`wrangler deploy --dry-run`) needs only D1.
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ROOT } from '../helpers/d1';
import { launchStarterSite, type StarterSite } from '../helpers/starter-site';
import { openMail } from './mail';

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
const NEWSLETTER = '/journal/newsletter';

let site: StarterSite;
let browser: Browser;

beforeAll(async () => {
  mkdirSync(ARTIFACTS, { recursive: true });
  site = await launchStarterSite();
  browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: CHROMIUM_ARGS });
}, 420_000);

afterAll(async () => {
  await browser?.close();
  await site?.stop();
});

async function withPage<T>(fn: (page: Page) => Promise<T>): Promise<T> {
  const context = await browser.newContext({ baseURL: site.baseUrl });
  const page = await context.newPage();
  try {
    return await fn(page);
  } catch (error) {
    await page.screenshot({ path: join(ARTIFACTS, `starter-failure-${Date.now()}.png`), fullPage: true }).catch(() => undefined);
    throw new Error(`${(error as Error).message}\n--- server log ---\n${site.logs()}`, { cause: error });
  } finally {
    await context.close();
  }
}

describe('the tarball', () => {
  it('holds the integration, db and the SQL migrations, and no tests, fixtures, benchmarks or demo content', () => {
    const allowed = new Set(['ARCHITECTURE.md', 'README.md', 'LICENSE', 'db', 'integration', 'migrations', 'package.json']);
    expect(site.pack.files.map((f) => f.split('/')[0]!).filter((top) => !allowed.has(top))).toEqual([]);
    expect(site.pack.files.filter((f) => /\.test\.ts$|^test\/|^bench\/|^src\/|fixtures|migrations\/meta/.test(f))).toEqual([]);
    expect(site.pack.files).toEqual(
      expect.arrayContaining([
        'integration/index.ts',
        'integration/worker.ts',
        'integration/cli/bin.mjs',
        'integration/components/SubscribeForm.astro',
        'db/index.ts',
        'migrations/0001_create_auth_tables.sql',
      ]),
    );
  });

  it('copied the package migrations after the host’s own, numbered on from its highest', () => {
    expect(site.migrationsCopied[0]).toBe('0002_astro_d1_notify_0001_create_auth_tables.sql');
    expect(site.migrationsCopied.length).toBe(readdirSync(join(ROOT, 'migrations')).filter((f) => f.endsWith('.sql')).length);
  });

  it('registered the posts and notes with the blog starter’s frontmatter at build', () => {
    expect(site.buildLog).toMatch(/\[astro-d1-notify\] content: 2 new, 0 changed, 0 unchanged, 0 removed/);
  });

  it('uploads a Worker that needs no binding but D1 (and its assets)', () => {
    const out = mkdtempSync(join(tmpdir(), 'starter-upload-'));
    const result = spawnSync(join(ROOT, 'node_modules/.bin/node'), [join(site.dir, 'node_modules/.bin/wrangler'), 'deploy', '--dry-run', '--outdir', out], {
      cwd: site.dir,
      encoding: 'utf8',
      env: { ...process.env, CI: '1', NO_COLOR: '1' },
    });
    expect(result.status, result.stderr).toBe(0);
    const bindings = result.stdout.slice(result.stdout.indexOf('the following bindings'));
    expect(bindings).toMatch(/env\.DB \(starter-site\)\s+D1 Database/);
    expect(bindings).not.toMatch(/KV Namespace|Images|SESSION|IMAGES/);
  });
});

describe('a reader on the starter site, in Chromium', () => {
  it('subscribes from the home page, confirms from the captured mail, saves preferences and leaves by one-click, inside the site’s own layout', async () => {
    const email = 'starter-reader@example.com';
    await withPage(async (page) => {
      await page.goto('/journal/');
      await page.getByLabel('Email address').fill(email);
      await page.getByRole('button', { name: 'Subscribe' }).click();
      await page.waitForURL(`**${NEWSLETTER}/subscribe?sent=1`);
      await expect(page.getByTestId('starter-shell').count()).resolves.toBe(1); // the host's layout, not ours
      await page.getByRole('heading', { name: 'Check your inbox' }).waitFor();
      await page.screenshot({ path: join(ARTIFACTS, 'starter-01-check-inbox.png'), fullPage: true });

      // The confirmation mail is sent after the answer (waitUntil): openMail looks again until it has arrived.
      const mailId = await openMail(page, email, { base: NEWSLETTER });
      const links = await page.locator('a[data-testid="message-link"]').evaluateAll((as) => as.map((a) => (a as HTMLAnchorElement).href));
      const verify = links.find((h) => h.startsWith(`${site.baseUrl}${NEWSLETTER}/verify?token=`));
      expect(verify, JSON.stringify(links)).toBeTruthy();

      await page.goto(verify!);
      await expect(page.getByTestId('starter-shell').count()).resolves.toBe(1);
      await page.getByRole('button', { name: /confirm/i }).click();
      await page.waitForURL(`**${NEWSLETTER}/preferences?token=*`);
      await page.getByLabel('A weekly digest').check();
      await page.getByRole('button', { name: /save/i }).click();
      await page.waitForURL('**saved=1');
      await expect(page.getByLabel('A weekly digest').isChecked()).resolves.toBe(true);
      await page.screenshot({ path: join(ARTIFACTS, 'starter-02-preferences.png'), fullPage: true });

      // The verification mail's RFC 8058 header points under the prefix; POST it as a mail provider would.
      const raw = await (await page.request.get(`${NEWSLETTER}/dev/mail/${mailId}/raw`)).text();
      const oneClick = /List-Unsubscribe: <([^>]+)>/.exec(raw.replace(/\r?\n[ \t]+/g, ' '))?.[1];
      expect(oneClick).toMatch(new RegExp(`^${site.baseUrl}${NEWSLETTER}/api/unsubscribe/one-click\\?token=`));
      const response = await fetch(oneClick!, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: 'List-Unsubscribe=One-Click',
        redirect: 'manual',
      });
      expect(response.status).toBe(200);
    });
  });
});
