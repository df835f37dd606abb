/**
 * The same host blog as test/host-site.test.ts, with the integration's routes at the root (no
 * `prefix`) and the subscribe page let into the sitemap (`sitemap: { subscribePage: true }`):
 * the sitemap lists the posts and that one page, the host's own form POST keeps Astro's origin
 * check, and a reader subscribes and confirms at the root.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hrefs, launchHostSite, postForm, subscribeByForm, type HostSite } from './helpers/host-site';

const EVIL = 'https://evil.example';
let site: HostSite;

beforeAll(async () => {
  site = await launchHostSite({ sitemap: { subscribePage: true } });
}, 300_000);
afterAll(async () => site?.stop());

describe('the integration at the root of a static host', () => {
  it('lists only the subscribe page of its own in the host’s sitemap, because the host asked', () => {
    const xml = readFileSync(join(site.client, 'sitemap-0.xml'), 'utf8');
    const urls = [...xml.matchAll(/<loc>([^<]+)<\/loc>/g)].map((m) => new URL(m[1]!).pathname);
    expect(urls.sort()).toEqual(['/', '/posts/first-post/', '/posts/second-post/', '/subscribe/']);
  });

  it('leaves the host’s origin check on its own form POST, and the one-click route open to mail providers', async () => {
    expect((await postForm(`${site.baseUrl}/contact`, { name: 'Ann' }, EVIL)).status).toBe(403);
    const sameOrigin = await postForm(`${site.baseUrl}/contact`, { name: 'Ann' }, site.baseUrl);
    expect(sameOrigin.status, `${await sameOrigin.clone().text()}\n${site.server.logs()}`).toBe(200);
    expect((await postForm(`${site.baseUrl}/hooks/payment`, {}, EVIL)).status).toBe(403); // no exemption on this site
    expect((await postForm(`${site.baseUrl}/subscribe`, { email: 'x@reader.example' }, EVIL)).status).toBe(403);
    const oneClick = await postForm(`${site.baseUrl}/api/unsubscribe/one-click?token=unknown`, { 'List-Unsubscribe': 'One-Click' }, EVIL);
    expect(oneClick.status).not.toBe(403);
    expect(oneClick.status, site.server.logs()).toBeLessThan(500);
  });

  it('answers a refused cross-site POST without breaking the request after it (the body is drained)', async () => {
    // Answered unread, about 3 in 100 of the next requests died in wrangler dev ("Network connection lost").
    const next: number[] = [];
    for (let i = 0; i < 100; i++) {
      expect((await postForm(`${site.baseUrl}/subscribe`, { email: `x${i}@reader.example`, note: 'x'.repeat(i * 40) }, EVIL)).status).toBe(403);
      next.push((await postForm(`${site.baseUrl}/contact`, { name: 'Ann' }, site.baseUrl)).status);
    }
    expect(next.filter((s) => s !== 200)).toEqual([]);
  });

  it('lets a reader subscribe and confirm at the root; every link of the mail opens', async () => {
    const { status, html, verifyUrl } = await subscribeByForm(site.baseUrl, '', 'root-reader@host.example');
    expect(status).toBeLessThan(400);
    const links = hrefs(html, site.baseUrl).filter((h) => h.startsWith(site.baseUrl));
    expect(links).toContain(`${site.baseUrl}/`);
    expect(links.length).toBeGreaterThan(0); // the loop below must check something
    for (const link of links) expect((await fetch(link, { redirect: 'manual' })).status, link).toBeLessThan(400);
    expect(new URL(verifyUrl).pathname).toBe('/verify');
    const confirmed = await postForm(`${site.baseUrl}/verify`, { token: new URL(verifyUrl).searchParams.get('token')! }, site.baseUrl);
    expect(confirmed.status).toBeLessThan(400);
  });
});
