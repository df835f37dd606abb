/**
 * The package as a guest in a blog of its own (test/fixtures/host-site, built once, served by
 * wrangler dev) with Astro's `base: '/journal'` and the integration's routes under `/newsletter`: the host's pages stay static
 * files from getStaticPaths(), its sitemap holds none of ours, its `session` cookie is never read
 * or cleared, its own form POST keeps Astro's origin check (and the path it exempts is exempt),
 * and a reader subscribes and confirms under the prefix, through the D1 binding NEWS_DB.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hrefs, launchHostSite, postForm, subscribeByForm, type HostSite } from './helpers/host-site';

const BASE = '/journal';
const NL = `${BASE}/newsletter`;
const EVIL = 'https://evil.example';
let site: HostSite;

beforeAll(async () => {
  site = await launchHostSite({ prefix: '/newsletter', originCheckExempt: [`${BASE}/hooks/*`] }, { base: BASE });
}, 300_000);
afterAll(async () => site?.stop());

const get = (path: string, headers: Record<string, string> = {}) => fetch(`${site.baseUrl}${path}`, { headers, redirect: 'manual' });

describe('the host’s pages stay the host’s', () => {
  it('stay static files from getStaticPaths(), with no `output` set; only the integration renders on demand', async () => {
    for (const file of ['index.html', 'posts/first-post/index.html', 'posts/second-post/index.html'])
      expect(existsSync(join(site.client, file)), file).toBe(true);
    expect(readdirSync(site.client, { recursive: true }).filter((f) => String(f).includes('newsletter'))).toEqual([]);
    const post = await get(`${BASE}/posts/first-post/`);
    expect(post.status).toBe(200);
    const html = await post.text();
    expect(html).toContain('<h1>First post</h1>');
    expect(html).toMatch(/<form[^>]*action="\/journal\/newsletter\/subscribe"/); // the subscribe box, in a static page
    expect((await get(`${BASE}/posts/nonexistent/`)).status).toBe(404);
    expect((await get(`${NL}/subscribe`)).status).toBe(200);
  });

  it('keep a sitemap of their own: the posts, none of the injected pages', () => {
    const xml = readFileSync(join(site.client, 'sitemap-0.xml'), 'utf8');
    const urls = [...xml.matchAll(/<loc>([^<]+)<\/loc>/g)].map((m) => new URL(m[1]!).pathname);
    expect(urls.sort()).toEqual([`${BASE}/`, `${BASE}/posts/first-post/`, `${BASE}/posts/second-post/`]);
  });

  it('keep their own `session` cookie: the integration never reads or clears it, on the host’s pages or its own', async () => {
    const set = await postForm(`${site.baseUrl}${BASE}/me`, {}, site.baseUrl);
    expect(set.headers.get('set-cookie')).toMatch(/^session=host-abc;/);
    const cookie = 'session=host-abc; astro_d1_notify_session=unknown';
    const own = await get(`${BASE}/me`, { cookie });
    expect(await own.text()).toBe('host session: host-abc');
    expect(own.headers.get('set-cookie')).toBeNull(); // not even ours: the middleware leaves host pages alone
    for (const path of [`${NL}/subscribe`, `${NL}/preferences`, `${NL}/account/login`]) {
      const ours = await get(path, { cookie });
      const cookies = ours.headers.getSetCookie();
      expect(
        cookies.filter((c) => /^session=/.test(c)),
        path,
      ).toEqual([]);
      expect(cookies, path).toContainEqual(expect.stringMatching(/^astro_d1_notify_session=; .*Max-Age=0/)); // its own unknown cookie is cleared
    }
  });

  it('keep Astro’s origin check on their own form POST (403 cross-site, same-origin passes), and exempt what the host exempts', async () => {
    const crossSite = await postForm(`${site.baseUrl}${BASE}/contact`, { name: 'Ann' }, EVIL);
    expect(crossSite.status).toBe(403);
    expect(await crossSite.text()).toBe('Cross-site POST form submissions are forbidden');
    const sameOrigin = await postForm(`${site.baseUrl}${BASE}/contact`, { name: 'Ann' }, site.baseUrl);
    expect([sameOrigin.status, await sameOrigin.text()]).toEqual([200, 'thanks, Ann']);
    const exempt = await postForm(`${site.baseUrl}${BASE}/hooks/payment`, { paid: '1' }, EVIL);
    expect([exempt.status, await exempt.text()]).toEqual([200, 'received']);
  });
});

describe('the integration’s routes under the prefix', () => {
  it('refuse a cross-site form POST, and let the RFC 8058 one-click and the webhooks through to their own checks', async () => {
    expect((await postForm(`${site.baseUrl}${NL}/subscribe`, { email: 'x@reader.example', contentTypes: 'blog', frequency: 'immediate' }, EVIL)).status).toBe(
      403,
    );
    const oneClick = await postForm(`${site.baseUrl}${NL}/api/unsubscribe/one-click?token=unknown`, { 'List-Unsubscribe': 'One-Click' }, EVIL);
    expect(oneClick.status).not.toBe(403);
    expect(oneClick.status, site.server.logs()).toBeLessThan(500);
    const webhook = await fetch(`${site.baseUrl}${NL}/api/webhooks/postmark`, {
      method: 'POST',
      headers: { 'content-type': 'text/plain', origin: EVIL },
      body: '{}',
    });
    expect(webhook.status).not.toBe(403); // 503 here: Postmark is not configured on this site
  });

  it('let a reader subscribe and confirm, every link of the mail opens, and the site name links to the home', async () => {
    const { status, html, verifyUrl } = await subscribeByForm(site.baseUrl, NL, 'reader@host.example');
    expect(status).toBeLessThan(400);
    const links = hrefs(html, site.baseUrl).filter((h) => h.startsWith(site.baseUrl));
    expect(links).toContain(`${site.baseUrl}${BASE}/`); // the site-name link: the home, under Astro's base
    expect(links.length).toBeGreaterThan(0); // the loop below must check something
    for (const link of links) expect((await fetch(link, { redirect: 'manual' })).status, link).toBeLessThan(400);
    expect(new URL(verifyUrl).pathname).toBe(`${NL}/verify`);
    const token = new URL(verifyUrl).searchParams.get('token')!;
    const confirmed = await postForm(`${site.baseUrl}${NL}/verify`, { token }, site.baseUrl);
    expect(confirmed.status, await confirmed.clone().text()).toBeLessThan(400);
    expect(await (await get(`${NL}/verify?token=${encodeURIComponent(token)}`)).text()).not.toContain('Confirm my subscription');
  });
});
