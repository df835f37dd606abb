/**
 * The official Astro blog starter (test/fixtures/astro-blog-starter: mdx, rss, sitemap, local
 * fonts) with the package installed from the `npm pack` tarball by the README, built and served by
 * wrangler dev twice: with `prefix: '/newsletter'`, then at the root. Its pages, feed and sitemap
 * stay static files and keep working, its `session` cookie is never touched, and a reader
 * subscribes, confirms, saves preferences, gets a post email and unsubscribes; every link of both
 * emails opens.
 */
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { installBlogStarter, type BlogStarter, type StarterBuild } from './helpers/blog-starter';
import { hrefs, postForm, subscribeByForm } from './helpers/host-site';

const POSTS = ['first-post', 'second-post', 'using-mdx'];
let starter: BlogStarter;

beforeAll(async () => {
  starter = await installBlogStarter();
}, 300_000);
afterAll(async () => starter?.stop());

/** The status of a GET, its body read (an unread body left wrangler dev closing the reused socket). */
async function statusOf(url: string): Promise<number> {
  try {
    const response = await fetch(url, { redirect: 'manual' });
    await response.arrayBuffer();
    return response.status;
  } catch (error) {
    throw new Error(`GET ${url} failed`, { cause: error });
  }
}

/** Every link of a mail on the site answers below 400, and there is at least one. */
async function linksOpen(html: string, baseUrl: string): Promise<string[]> {
  const links = hrefs(html, baseUrl).filter((h) => h.startsWith(baseUrl));
  expect(links.length).toBeGreaterThan(0);
  for (const link of links) expect(await statusOf(link), link).toBeLessThan(400);
  return links;
}

/** The newest mail to `email` whose subject matches, from the dev outbox. */
async function mailTo(baseUrl: string, nl: string, email: string, subject: RegExp): Promise<string> {
  const list = await (await fetch(`${baseUrl}${nl}/dev/mail?to=${encodeURIComponent(email)}`)).text();
  const rows = [...list.matchAll(/<tr[^>]*data-testid="mail-row"[\s\S]*?<\/tr>/g)].map((m) => m[0]);
  const row = rows.find((r) => subject.test(r));
  const id = row && new RegExp(`${nl}/dev/mail/([^"/?]+)"`).exec(row)?.[1];
  if (!id) throw new Error(`no mail matching ${subject} to ${email}:\n${list.slice(0, 3000)}`);
  return (await fetch(`${baseUrl}${nl}/dev/mail/${id}/html`)).text();
}

function describeBuild(label: string, nl: string, options: string, before: () => void, newPosts: string[]) {
  describe(label, () => {
    let site: StarterBuild;
    const get = (path: string, headers: Record<string, string> = {}) => fetch(`${site.baseUrl}${path}`, { headers, redirect: 'manual' });
    beforeAll(async () => {
      before();
      site = await starter.build(options);
    }, 240_000);

    it('leaves the starter’s pages, feed and sitemap as static files that answer, and an unknown post 404', async () => {
      const posts = [...POSTS, ...newPosts];
      const files = [
        'index.html',
        'about/index.html',
        'blog/index.html',
        ...posts.map((p) => `blog/${p}/index.html`),
        'rss.xml',
        'sitemap-index.xml',
        'sitemap-0.xml',
      ];
      for (const file of files) expect(existsSync(join(site.client, file)), file).toBe(true);
      expect(readdirSync(site.client, { recursive: true }).filter((f) => /newsletter|subscribe|preferences/.test(String(f)))).toEqual([]);
      for (const path of ['/', '/about/', '/blog/']) expect((await get(path)).status, path).toBe(200);
      for (const post of posts) {
        const page = await get(`/blog/${post}/`);
        expect(page.status, post).toBe(200);
        const html = await page.text();
        expect(html).toMatch(/<h1[^>]*>[^<]+<\/h1>/);
        const hero = /<img src="([^"]+)"/.exec(html)?.[1]?.replaceAll('&amp;', '&');
        expect(hero, 'hero image').toBeTruthy();
        expect(await statusOf(new URL(hero!, site.baseUrl).href), hero).toBe(200);
        expect(html).toMatch(new RegExp(`<form[^>]*action="${nl}/subscribe"`)); // the subscribe box on the post page
        // Astro's fonts API: the Atkinson files are preloaded and served.
        const font = /<link[^>]+rel="preload"[^>]+href="([^"]+\.woff2?)"/.exec(html)?.[1] ?? /href="([^"]+\.woff2?)"[^>]+rel="preload"/.exec(html)?.[1];
        expect(font, 'font preload').toBeTruthy();
        expect(await statusOf(new URL(font!, site.baseUrl).href), font).toBe(200);
      }
      expect((await get('/blog/nonexistent/')).status).toBe(404);
    });

    it('serves the feed and a sitemap with the starter’s pages and none of ours', async () => {
      const rss = await get('/rss.xml');
      expect(rss.status).toBe(200);
      const items = [...(await rss.text()).matchAll(/<link>([^<]+)<\/link>/g)].map((m) => new URL(m[1]!).pathname).filter((p) => p !== '/');
      expect(items.sort()).toEqual([...POSTS, ...newPosts].map((p) => `/blog/${p}/`).sort());
      expect((await get('/sitemap-index.xml')).status).toBe(200);
      const sitemap = await get('/sitemap-0.xml');
      expect(sitemap.status).toBe(200);
      const urls = [...(await sitemap.text()).matchAll(/<loc>([^<]+)<\/loc>/g)].map((m) => new URL(m[1]!).pathname);
      expect(urls.sort()).toEqual(['/', '/about/', '/blog/', ...[...POSTS, ...newPosts].map((p) => `/blog/${p}/`)].sort());
    });

    it('never reads or clears the host’s `session` cookie, on its pages or ours', async () => {
      const cookie = 'session=host-abc; astro_d1_notify_session=unknown';
      expect((await get('/blog/first-post/', { cookie })).headers.getSetCookie()).toEqual([]);
      for (const path of [`${nl}/subscribe`, `${nl}/preferences`, `${nl}/account/login`]) {
        const ours = await get(path, { cookie });
        expect(ours.status, path).toBeLessThan(500);
        const cookies = ours.headers.getSetCookie();
        expect(
          cookies.filter((c) => /^session=/.test(c)),
          path,
        ).toEqual([]);
        expect(cookies, path).toContainEqual(expect.stringMatching(/^astro_d1_notify_session=; .*Max-Age=0/));
      }
    });

    it('lets a reader subscribe, confirm, save preferences, get a post email and unsubscribe; every link of both emails opens', async () => {
      const email = `reader${nl.replaceAll('/', '-')}@starter.example`;
      const { status, html, verifyUrl } = await subscribeByForm(site.baseUrl, nl, email);
      expect(status).toBeLessThan(400);
      expect(await linksOpen(html, site.baseUrl)).toContain(`${site.baseUrl}/`); // the site-name link: the home
      expect(new URL(verifyUrl).pathname).toBe(`${nl}/verify`);

      const confirmed = await postForm(`${site.baseUrl}${nl}/verify`, { token: new URL(verifyUrl).searchParams.get('token')! }, site.baseUrl);
      expect(confirmed.status, site.server.logs()).toBe(303);
      const preferences = new URL(confirmed.headers.get('location')!, site.baseUrl);
      expect(preferences.pathname).toBe(`${nl}/preferences`);
      expect((await get(preferences.pathname + preferences.search)).status).toBe(200);
      const token = preferences.searchParams.get('token')!;
      const saved = await postForm(`${site.baseUrl}${nl}/preferences`, { token, contentTypes: 'blog', frequency: 'immediate' }, site.baseUrl);
      expect(saved.status).toBe(303);
      expect(saved.headers.get('location')).toMatch(/saved=1/);

      const run = await starter.notify();
      expect(run, run).toMatch(/"sent": [1-9]/);
      const post = await mailTo(site.baseUrl, nl, email, new RegExp(newPosts.length ? 'Third post' : 'Using MDX|First post|Second post'));
      const links = await linksOpen(post, site.baseUrl);
      const unsubscribe = links.find((l) => l.includes(`${nl}/unsubscribe?token=`));
      expect(unsubscribe, JSON.stringify(links)).toBeTruthy();
      const left = await postForm(`${site.baseUrl}${nl}/unsubscribe`, { token: new URL(unsubscribe!).searchParams.get('token')! }, site.baseUrl);
      expect(left.status).toBeLessThan(400);
      const after = left.status === 303 ? await get(left.headers.get('location')!) : left;
      expect(await after.text()).toContain('You are unsubscribed');
    });
  });
}

describeBuild("the starter with `prefix: '/newsletter'`", '/newsletter', "{ prefix: '/newsletter' }", () => undefined, []);

// README step 8: write a post, build, notify. The second build registers it; the reader at the root gets it.
describeBuild(
  'the starter with the integration at the root',
  '',
  '',
  () => {
    const src = join(starter.dir, 'src/content/blog');
    writeFileSync(
      join(src, 'third-post.md'),
      readFileSync(join(src, 'second-post.md'), 'utf8').replace("title: 'Second post'", "title: 'Third post'").replace('Jul 15 2022', 'Jul 22 2022'),
    );
  },
  ['third-post'],
);
