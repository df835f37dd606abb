/**
 * Secure by default, by behaviour: every console route (every file under integration/pages/admin/,
 * enumerated as the integration injects them, so a new page is in without editing this test) is
 * requested on the built Worker (a host site built with Astro and served by `wrangler dev`) without
 * a session and with a signed-in reader who is not an admin, with GET and with a same-origin POST
 * that carries a valid CSRF pair. Each must be refused with the 403 page (or, for the method an
 * endpoint does not export, Astro's 404/405), every route must meet the gate with one of the two, and
 * no answer may carry any of the data the console shows. An admin's
 * session opens the same routes and sees that data: the markers are real, the refusals are not
 * empty pages. The dev bypass is off (ADMIN_DEV_BYPASS unset), as in production.
 */
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDb } from '../db/client';
import { SESSION_COOKIE } from '../integration/server/auth/cookies';
import { createUserSession } from '../integration/server/auth/session';
import { CSRF_COOKIE, CSRF_FIELD, newCsrfToken } from '../integration/server/admin/gate';
import { injectedRoutes } from '../integration/routes';
import { ROOT } from './helpers/d1';
import { launchHostSite, type HostSite } from './helpers/host-site';

const SECRET_READER = 'gate-secret@example.org';
const SECRET_POST = 'Gate Secret Post';
const SECRET_TEMPLATE = '{{content_type_label}}: {{content_title}}'; // tpl_blog_notification's subject, from the migrations
const MARKERS = [SECRET_READER, SECRET_POST, SECRET_TEMPLATE, 'the.author@example.org'];

/** The id a dynamic segment takes, by the folder it sits in: a route with another one fails here until it is added. */
const IDS: Record<string, string> = { posts: 'c-gate', subscribers: 'u-secret', templates: 'tpl_blog_notification' };

const ADMIN_ROUTES = injectedRoutes(join(ROOT, 'integration/pages'), '')
  .map((r) => r.pattern)
  .filter((p) => p === '/admin' || p.startsWith('/admin/'));

function pathOf(pattern: string): string {
  const parts = pattern.split('/');
  return parts
    .map((part, i) => {
      if (!part.startsWith('[')) return part;
      const id = IDS[parts[i - 1] ?? ''];
      if (!id) throw new Error(`no id for ${part} in ${pattern}: add its folder to IDS`);
      return id;
    })
    .join('/');
}

let site: HostSite;
const sessions = { reader: '', admin: '' };

beforeAll(async () => {
  site = await launchHostSite(
    {},
    {
      seed: async (d1) => {
        await d1.batch([
          d1.prepare(
            `INSERT INTO users (id, email, role, email_verified, email_proven_at, email_blog_updates) VALUES
             ('u-reader', 'plain.reader@example.org', 'reader', 1, 1767225600, 1),
             ('u-admin', 'the.author@example.org', 'admin', 1, 1767225600, 0),
             ('u-secret', ?1, 'reader', 1, 1767225600, 1)`,
          ).bind(SECRET_READER),
          d1.prepare(
            `INSERT INTO content_items (id, slug, content_type, title, content_url, publish_date, file_path)
             VALUES ('c-gate', 'gate-secret-post', 'blog', ?1, '/posts/gate-secret-post/', 1767225600, 'src/content/posts/gate-secret-post.md')`,
          ).bind(SECRET_POST),
        ]);
        const db = createDb(d1);
        sessions.reader = (await createUserSession(db, 'u-reader')).token;
        sessions.admin = (await createUserSession(db, 'u-admin')).token;
      },
    },
  );
}, 300_000);
afterAll(async () => site?.stop());

const csrf = newCsrfToken();
function request(path: string, method: 'GET' | 'POST', session?: string): Promise<Response> {
  const cookies = [`${CSRF_COOKIE}=${csrf}`, ...(session ? [`${SESSION_COOKIE}=${session}`] : [])];
  const headers: Record<string, string> = { cookie: cookies.join('; ') };
  if (method === 'GET') return fetch(`${site.baseUrl}${path}`, { headers, redirect: 'manual' });
  // A POST as the console's own forms send it: same origin, the CSRF pair: only the identity is missing.
  headers.origin = site.baseUrl;
  headers['content-type'] = 'application/x-www-form-urlencoded';
  return fetch(`${site.baseUrl}${path}`, { method: 'POST', headers, body: new URLSearchParams({ [CSRF_FIELD]: csrf, action: 'pause' }), redirect: 'manual' });
}

describe('the author console on the built Worker', () => {
  it('has its routes enumerated from integration/pages/admin', () => {
    expect(ADMIN_ROUTES).toContain('/admin');
    expect(ADMIN_ROUTES).toContain('/admin/subscribers/export.csv');
    expect(ADMIN_ROUTES.length).toBeGreaterThanOrEqual(11);
  });

  for (const who of ['nobody', 'reader'] as const) {
    it(`refuses every route, GET and POST, to ${who === 'nobody' ? 'a request without a session' : 'a signed-in reader who is not an admin'}, showing no data`, async () => {
      if (who === 'reader') {
        // The reader's session is a real one: the account page knows them; only the role keeps them out.
        const account = await request('/account', 'GET', sessions.reader);
        expect(account.headers.get('location')).toBe('/preferences'); // signed in; a stranger is sent to /account/login
      }
      const answers: string[] = [];
      for (const pattern of ADMIN_ROUTES) {
        const path = pathOf(pattern);
        const statuses: number[] = [];
        for (const method of ['GET', 'POST'] as const) {
          const response = await request(path, method, who === 'reader' ? sessions.reader : undefined);
          const body = await response.text();
          statuses.push(response.status);
          answers.push(`${method} ${path} ${response.status}`);
          expect([403, 404, 405], `${method} ${path}: ${body.slice(0, 300)}`).toContain(response.status);
          for (const marker of MARKERS) expect(body, `${method} ${path}`).not.toContain(marker);
          if (response.status === 403) expect(body, `${method} ${path}`).toContain('Access denied');
        }
        // Each route takes one of the two methods: that one must have met the gate.
        expect(statuses, path).toContain(403);
      }
      expect(answers).toHaveLength(ADMIN_ROUTES.length * 2);
    });
  }

  it('opens the same routes to an admin, who sees the data the refusals kept back', async () => {
    const page = async (path: string) => {
      const response = await request(path, 'GET', sessions.admin);
      return { status: response.status, body: await response.text() };
    };
    for (const pattern of ADMIN_ROUTES.filter((p) => !p.endsWith('/action'))) {
      expect((await page(pathOf(pattern))).status, pattern).toBe(200);
    }
    expect((await page('/admin/subscribers')).body).toContain(SECRET_READER);
    expect((await page('/admin/subscribers/u-secret')).body).toContain(SECRET_READER);
    expect((await page('/admin/subscribers/export.csv')).body).toContain(SECRET_READER);
    expect((await page('/admin/posts/c-gate')).body).toContain(SECRET_POST);
    expect((await page('/admin/templates/tpl_blog_notification')).body).toContain(SECRET_TEMPLATE);
  });
});
