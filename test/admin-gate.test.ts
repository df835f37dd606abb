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
 * Then CSRF, with the admin's own session: every console route is sent POSTs that lack the token,
 * forge it (a random double-submit pair, the token of another admin session), or come from another
 * site (Origin, or only Sec-Fetch-Site); each is refused and D1 is unchanged, and the same form with
 * the session's token (read from a console page) from the site itself does change D1 (so the forged
 * ones would have, had they passed). docs/routes-and-security.md promises both checks.
 */
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { getPlatformProxy } from 'wrangler';
import { createDb } from '../db/client';
import { SESSION_COOKIE } from '../integration/server/auth/cookies';
import { createUserSession } from '../integration/server/auth/session';
import { CSRF_COOKIE, CSRF_FIELD, newCsrfToken } from '../integration/server/admin/gate';
import { injectedRoutes } from '../integration/routes';
import { ROOT } from './helpers/d1';
import { HOST_BINDING, launchHostSite, type HostSite } from './helpers/host-site';

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
const sessions = { reader: '', admin: '', otherAdmin: '' };

beforeAll(async () => {
  site = await launchHostSite(
    {},
    {
      seed: async (d1) => {
        await d1.batch([
          d1
            .prepare(
              `INSERT INTO users (id, email, role, email_verified, email_proven_at, email_blog_updates) VALUES
             ('u-reader', 'plain.reader@example.org', 'reader', 1, 1767225600, 1),
             ('u-admin', 'the.author@example.org', 'admin', 1, 1767225600, 0),
             ('u-secret', ?1, 'reader', 1, 1767225600, 1)`,
            )
            .bind(SECRET_READER),
          d1
            .prepare(
              `INSERT INTO content_items (id, slug, content_type, title, content_url, publish_date, file_path)
             VALUES ('c-gate', 'gate-secret-post', 'blog', ?1, '/posts/gate-secret-post/', 1767225600, 'src/content/posts/gate-secret-post.md')`,
            )
            .bind(SECRET_POST),
        ]);
        const db = createDb(d1);
        sessions.reader = (await createUserSession(db, 'u-reader')).token;
        sessions.admin = (await createUserSession(db, 'u-admin')).token;
        sessions.otherAdmin = (await createUserSession(db, 'u-admin')).token; // the same author signed in elsewhere
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

/**
 * What an admin's form sends to change something, by route (read from D1 where it must match).
 * A route that takes a POST fails below until it is listed here: its refusals must be shown to matter.
 */
const CHANGES: Record<string, (d1: D1Database) => Promise<Record<string, string>>> = {
  '/admin/posts/[id]/action': async () => ({ op: 'hold' }),
  '/admin/subscribers/[id]/action': async () => ({ op: 'unsubscribe' }),
  '/admin/subscribers/import': async () => ({ mode: 'import', csv: 'email\nforged.import@example.org\n' }),
  '/admin/templates/[id]': async (d1) => {
    const t = await d1
      .prepare('SELECT subject_template AS subject, html_template AS html, text_template AS text, version FROM email_templates WHERE id = ?1')
      .bind(IDS.templates)
      .first<{ subject: string; html: string; text: string; version: number }>();
    return { op: 'save', subject: t!.subject, html: `${t!.html}\n<!-- saved -->`, text: t!.text, base_version: String(t!.version) };
  },
};

/** Every row of every table but the ones a mere request writes (sessions' last use, rate limits): one batch. */
async function snapshot(d1: D1Database): Promise<Record<string, unknown[]>> {
  const { results } = await d1
    .prepare(
      `SELECT name FROM sqlite_master WHERE type = 'table' AND substr(name, 1, 7) <> 'sqlite_' AND substr(name, 1, 4) <> '_cf_'
       AND name NOT IN ('sessions', 'rate_limits') ORDER BY name`,
    )
    .all<{ name: string }>();
  const rows = await d1.batch(results.map(({ name }) => d1.prepare(`SELECT * FROM "${name}" ORDER BY rowid`)));
  return Object.fromEntries(results.map(({ name }, i) => [name, rows[i]!.results]));
}

/** `field`: the CSRF field sent ('ours': the admin session's token, 'theirs': another admin session's). */
type Send = { field: string | null; headers: Record<string, string> };
const EVIL = 'https://evil.example';
const OTHER_SESSION = 'the token of another admin session';
const CROSS_JSON = "the session's token from another site, as JSON (past the middleware, whose Origin rule is for form-like types)";
const RANDOM = newCsrfToken();
/** The admin's POSTs that must not pass. */
const FORGED: Record<string, (origin: string) => Send> = {
  'no field': (origin) => ({ field: null, headers: { origin } }),
  'an empty field': (origin) => ({ field: '', headers: { origin } }),
  // What sufficed before tokens were bound to the session: any matching cookie and field.
  'a random double-submit pair': (origin) => ({ field: RANDOM, headers: { origin, cookie: `${CSRF_COOKIE}=${RANDOM}` } }),
  // The same author signed in elsewhere: that session's token is not this one's.
  [OTHER_SESSION]: (origin) => ({ field: 'theirs', headers: { origin } }),
  "the session's token from another site": () => ({ field: 'ours', headers: { origin: EVIL } }),
  [CROSS_JSON]: () => ({ field: 'ours', headers: { origin: EVIL, 'content-type': 'application/json' } }),
  "the session's token from an opaque origin": () => ({ field: 'ours', headers: { origin: 'null' } }),
  "the session's token, no Origin, Sec-Fetch-Site: cross-site": () => ({ field: 'ours', headers: { 'sec-fetch-site': 'cross-site' } }),
};

/** The CSRF token a session's console pages carry in their forms. */
async function csrfOf(session: string): Promise<string> {
  const html = await (await request(pathOf('/admin/posts/[id]'), 'GET', session)).text();
  const token = /name="csrf" value="([A-Za-z0-9_-]{43})"/.exec(html)?.[1];
  if (!token) throw new Error(`no CSRF token on the post page: ${html.slice(0, 300)}`);
  return token;
}
const tokens = { ours: '', theirs: '' };

function adminPost(path: string, fields: Record<string, string>, send: Send): Promise<Response> {
  const cookies = [`${SESSION_COOKIE}=${sessions.admin}`];
  const { cookie: extra, ...headers } = send.headers;
  const body = new URLSearchParams(fields);
  if (send.field !== null) body.set(CSRF_FIELD, send.field === 'ours' || send.field === 'theirs' ? tokens[send.field] : send.field);
  return fetch(`${site.baseUrl}${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded', ...headers, cookie: [...cookies, ...(extra ? [extra] : [])].join('; ') },
    body,
    redirect: 'manual',
  });
}

describe("the author console refuses an admin POST without its session's CSRF token from this site", () => {
  let d1: D1Database;
  let dispose: () => Promise<void>;
  beforeAll(async () => {
    // A second process on the Worker's SQLite file: read-only here, the Worker does every write.
    const proxy = await getPlatformProxy<Record<string, D1Database>>({
      configPath: join(site.root, 'wrangler.jsonc'),
      persist: { path: join(site.root, '.wrangler/state/v3') },
    });
    d1 = proxy.env[HOST_BINDING]!;
    dispose = proxy.dispose;
    tokens.ours = await csrfOf(sessions.admin);
    tokens.theirs = await csrfOf(sessions.otherAdmin);
  }, 60_000);

  it("hands each admin session its own token: the same on every page of a session, another session's differs", async () => {
    expect(await csrfOf(sessions.admin)).toBe(tokens.ours);
    expect(tokens.theirs).not.toBe(tokens.ours);
    for (const session of [sessions.admin, sessions.otherAdmin]) expect([tokens.ours, tokens.theirs]).not.toContain(session);
  });
  afterAll(async () => dispose?.());

  it('on every route: forged and cross-site POSTs are refused and change nothing; the valid form changes D1', async () => {
    const takesPost: string[] = [];
    for (const pattern of ADMIN_ROUTES) {
      const path = pathOf(pattern);
      const fields = (await CHANGES[pattern]?.(d1)) ?? { op: 'hold', mode: 'import' };
      const before = await snapshot(d1);
      for (const [name, forged] of Object.entries(FORGED)) {
        const response = await adminPost(path, fields, forged(site.baseUrl));
        const body = await response.text();
        // 405: a page that only reads (its Allow header says so); 404: an endpoint without POST.
        expect([403, 404, 405], `${name} → ${path}: ${body.slice(0, 300)}`).toContain(response.status);
        if (response.status === 405) expect(response.headers.get('allow'), path).not.toContain('POST');
      }
      expect(await snapshot(d1), `${path}: a refused POST changed D1`).toEqual(before);

      const valid = await adminPost(path, fields, { field: 'ours', headers: { origin: site.baseUrl } });
      await valid.text();
      if (valid.status === 404 || valid.status === 405) continue; // takes no POST: every answer above was that or the Origin 403
      takesPost.push(pattern);
      expect(CHANGES[pattern], `${pattern} takes a POST: add what its form sends to CHANGES`).toBeDefined();
      expect(valid.status, path).toBeLessThan(400);
      expect(await snapshot(d1), `${path}: the valid form changed nothing, so its refusals prove nothing`).not.toEqual(before);
    }
    expect(takesPost.sort()).toEqual(Object.keys(CHANGES).sort());
  });

  it("says why: the CSRF refusal for another session's token, the Origin refusal for another site", async () => {
    const path = pathOf('/admin/posts/[id]/action');
    const theirs = await adminPost(path, { op: 'hold' }, FORGED[OTHER_SESSION]!(site.baseUrl));
    expect(theirs.status).toBe(403);
    expect(await theirs.text()).toContain('the form has expired');
    const json = await adminPost(path, { op: 'hold' }, FORGED[CROSS_JSON]!(site.baseUrl));
    expect(json.status).toBe(403);
    expect(await json.text()).toContain('the form was not sent from this site');
  });
});

describe('the overview says when sending is stopped', () => {
  const overview = async (baseUrl: string) => {
    const response = await fetch(`${baseUrl}/admin/`, { headers: { cookie: `${SESSION_COOKIE}=${sessions.admin}` }, redirect: 'manual' });
    return { status: response.status, body: await response.text() };
  };

  it('names the missing setting at the top of the overview, and says nothing while the settings are complete', async () => {
    const complete = await overview(site.baseUrl);
    expect(complete.status).toBe(200);
    expect(complete.body).not.toContain('data-testid="sending-problem"');
    // The same build and D1, served with a provider chosen and its key left out (the other server is idle meanwhile).
    const stopped = await site.serveWith({ MAIL_TRANSPORT: 'resend' });
    try {
      const { status, body } = await overview(stopped.baseUrl);
      expect(status, stopped.logs()).toBe(200);
      const banner = /<p class="notice error" role="alert" data-testid="sending-problem">([^<]*)<\/p>/
        .exec(body)?.[1]
        ?.replace(/&quot;|&#34;/g, '"')
        .replace(/&amp;/g, '&');
      expect(banner).toBe('MAIL_TRANSPORT is "resend" but RESEND_API_KEY is not set (wrangler secret put RESEND_API_KEY)');
    } finally {
      await stopped.stop();
    }
  }, 120_000);
});
