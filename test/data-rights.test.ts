/**
 * Consent records, "Download my data", "Delete my account" (page handlers, the console's erase
 * action, `npm run db:erase` over the D1 HTTP API stand-in) and the welcome mail, on real local D1.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CONSENT_TEXT } from '../db/readers/consent';
import { addressHash, suppressAddress } from '../db/feedback/suppressions';
import { createUnsubscribeToken } from '../db/readers/unsubscribe-tokens';
import { createUser, getUserByEmail } from '../db/readers/users';
import { createUserSession } from '../integration/server/auth/session';
import { handleLogin } from '../integration/server/reader/account';
import { sha256Hex } from '../db/crypto';
import { CSRF_COOKIE, type AdminSettings } from '../integration/server/admin/gate';
import { handleAdminPost } from '../integration/server/admin/request';
import { subscriberAction } from '../integration/server/admin/subscribers';
import { eraseCommand } from '../integration/cli/db-erase';
import { UsageError, type CommandContext } from '../integration/cli/db-target';
import { queueVerificationEmail, systemTemplateFor } from '../integration/delivery/verification';
import { handleLinkRequest, handleSetPassword } from '../integration/server/reader/account-links';
import { handleDelete, handleExport, showDelete } from '../integration/server/reader/data-rights';
import { handlePreferencesForm, showPreferences } from '../integration/server/reader/preferences';
import { handleSubscribeApi, handleSubscribeForm } from '../integration/server/reader/subscribe';
import { handleVerify } from '../integration/server/reader/verify';
import { processNotifications } from '../integration/delivery/processor';
import { createDevCaptureTransport } from '../integration/delivery/providers/dev/transport';
import { createTestD1, ROOT, type TestD1 } from './helpers/d1';
import { testConfig } from './helpers/delivery';
import { parseMime } from './helpers/mime-assert';
import { startD1ApiStandIn } from './helpers/d1-api-standin';
import { fakeDeps, formRequest, jsonRequest, SITE, tokenOf } from './helpers/reader';

let t: TestD1;
beforeAll(async () => {
  t = await createTestD1();
});
afterAll(async () => t?.dispose());

const rows = async <T = Record<string, unknown>>(sql: string, ...params: unknown[]) =>
  (
    await t.d1
      .prepare(sql)
      .bind(...params)
      .all<T>()
  ).results;
const countOf = async (table: string, userId: string) => (await rows<{ n: number }>(`SELECT count(*) AS n FROM ${table} WHERE user_id = ?1`, userId))[0]!.n;

async function subscribeAndGetToken(email: string, via: 'form' | 'api' = 'form') {
  const deps = fakeDeps();
  if (via === 'form') await handleSubscribeForm(t.db, formRequest('/subscribe', { email, contentTypes: ['blog', 'thought'], frequency: 'weekly' }), deps);
  else
    await handleSubscribeApi(
      t.db,
      jsonRequest('/api/subscribe', { email, contentTypes: ['announcement'], frequency: 'daily' }, { headers: { 'user-agent': 'api-client/1' } }),
      deps,
    );
  return tokenOf(deps.sent[0]!.verifyUrl);
}

async function preferenceToken(userId: string, ttlSeconds?: number, now?: Date) {
  return (await createUnsubscribeToken(t.db, { userId, tokenType: 'preference_change', ttlSeconds, now })).token;
}

describe('consent records', () => {
  it('records every subscribe with its source, choices, versioned wording, IP and user agent; confirming stamps the record of that token only', async () => {
    const first = await subscribeAndGetToken('consent@example.com');
    const second = await subscribeAndGetToken('consent@example.com', 'api');
    const user = (await getUserByEmail(t.db, 'consent@example.com'))!;
    const before = await rows<Record<string, unknown>>('SELECT * FROM consents WHERE user_id = ?1 ORDER BY source DESC', user.id);
    expect(before).toHaveLength(2);
    expect(before[0]).toMatchObject({
      source: 'subscribe_form',
      text_version: CONSENT_TEXT.version,
      ip_address: '203.0.113.7',
      user_agent: 'vitest',
      confirmed_at: null,
    });
    expect(JSON.parse(before[0]!.choices as string)).toEqual({ contentTypes: ['blog', 'thought'], frequency: 'weekly' });
    expect(before[1]).toMatchObject({ source: 'api', ip_address: '203.0.113.8', user_agent: 'api-client/1', confirmed_at: null });
    expect(await rows('SELECT version, text FROM consent_texts')).toEqual([{ version: CONSENT_TEXT.version, text: CONSENT_TEXT.text }]);

    // The first link was replaced by the second: only the second can confirm, and it stamps its own record.
    expect((await handleVerify(t.db, formRequest('/verify', { token: first }), fakeDeps())).type).toBe('render');
    expect(await handleVerify(t.db, formRequest('/verify', { token: second }), fakeDeps())).toMatchObject({ type: 'response' });
    const after = await rows<{ source: string; confirmed_at: number | null; verification_token_hash: string | null }>(
      'SELECT source, confirmed_at, verification_token_hash FROM consents WHERE user_id = ?1 ORDER BY source',
      user.id,
    );
    expect(after.find((r) => r.source === 'api')).toMatchObject({ verification_token_hash: null });
    expect(after.find((r) => r.source === 'api')!.confirmed_at).toBeGreaterThan(0);
    expect(after.find((r) => r.source === 'subscribe_form')!.confirmed_at).toBeNull();
  });

  it('writes a record for a blocked address too (equal work on every path)', async () => {
    const blocked = await createUser(t.db, { email: 'blocked-consent@example.com', emailVerified: true });
    await t.d1.prepare("UPDATE users SET email_status = 'blocked' WHERE id = ?1").bind(blocked.id).run();
    await subscribeAndGetToken('blocked-consent@example.com');
    expect(await countOf('consents', blocked.id)).toBe(1);
  });

  it('registering records a `register` consent; the password link confirms no subscription, the owner’s own save does', async () => {
    const deps = fakeDeps();
    await handleLinkRequest(t.db, formRequest('/account/register', { email: 'register-consent@example.com' }), deps, 'register');
    const user = (await getUserByEmail(t.db, 'register-consent@example.com'))!;
    expect(await rows('SELECT source, confirmed_at FROM consents WHERE user_id = ?1', user.id)).toEqual([{ source: 'register', confirmed_at: null }]);
    const token = tokenOf(deps.sent[0]!.verifyUrl);
    await handleSetPassword(t.db, formRequest('/account/password', { token, password: 'a long enough passphrase 42' }), {});
    expect(await rows('SELECT confirmed_at FROM consents WHERE user_id = ?1 AND confirmed_at IS NOT NULL', user.id)).toEqual([]);
    const proven = (await getUserByEmail(t.db, 'register-consent@example.com'))!;
    await handlePreferencesForm(t.db, formRequest('/preferences', { contentTypes: ['blog', 'announcement'], frequency: 'daily' }), proven, {});
    const confirmed = await rows<{ source: string; choices: string }>(
      'SELECT source, choices FROM consents WHERE user_id = ?1 AND confirmed_at IS NOT NULL',
      user.id,
    );
    expect(confirmed.map((c) => [c.source, JSON.parse(c.choices)])).toEqual([
      ['subscribe_form', { contentTypes: ['blog', 'announcement'], frequency: 'daily' }],
    ]);
  });
});

describe('welcome email', () => {
  it('confirming queues a welcome mail that restates the choices and links to preferences with a fresh preference_change token', async () => {
    const token = await subscribeAndGetToken('welcome@example.com');
    const deps = fakeDeps();
    await handleVerify(t.db, formRequest('/verify', { token }), deps);
    expect(deps.sent).toHaveLength(1);
    const welcome = deps.sent[0]!;
    expect(welcome).toMatchObject({ kind: 'welcome', email: 'welcome@example.com', summary: 'Blog posts and Thoughts, a weekly digest' });
    expect(welcome.verifyUrl.startsWith(`${SITE}/preferences?token=`)).toBe(true);
    const shown = await showPreferences(t.db, new URL(welcome.verifyUrl), null, {});
    expect(shown).toMatchObject({ type: 'render', status: 200, view: { state: 'form', email: 'welcome@example.com' } });
  });

  it('is queued as a system mail of its own kind, rendered with the editable `welcome` template', async () => {
    const user = await createUser(t.db, { email: 'welcome-queue@example.com', emailVerified: true });
    const id = await queueVerificationEmail(t.db, {
      userId: user.id,
      email: user.email,
      verifyUrl: `${SITE}/preferences?token=abc`,
      kind: 'welcome',
      summary: 'Posts, weekly digest',
    });
    const [row] = await rows<{ content_id: string; content_type: string; notification_type: string; content_title: string; content_excerpt: string }>(
      'SELECT content_id, content_type, notification_type, content_title, content_excerpt FROM email_notifications WHERE id = ?1',
      id,
    );
    expect(row).toMatchObject({ content_type: 'system', notification_type: 'verification', content_title: 'Welcome', content_excerpt: 'Posts, weekly digest' });
    expect(systemTemplateFor(row!.content_id)).toBe('welcome');
    const [template] = await rows<{ template_type: string; text_template: string }>(
      "SELECT template_type, text_template FROM email_templates WHERE template_name = 'welcome'",
    );
    expect(template!.template_type).toBe('system');
    // The choices travel in the reader's language: t_welcome_intro carries the summary (integration/i18n/email.ts).
    expect(template!.text_template).toContain('{{t_welcome_intro}}');
    expect(template!.text_template).toContain('{{verify_url}}');

    // Sent through the real processor with the default template: the subject, the choices and the link.
    const run = await processNotifications(
      { db: t.db, transport: createDevCaptureTransport(t.db), config: testConfig(), clock: () => new Date() },
      { onlyNotificationIds: [id] },
    );
    expect(run.sent).toBe(1);
    const [mail] = await rows<{ subject: string; raw: string }>("SELECT subject, raw FROM dev_mail_outbox WHERE to_address = 'welcome-queue@example.com'");
    expect(mail!.subject).toBe('Welcome to Plain Words');
    const parsed = await parseMime(mail!.raw);
    expect(parsed.text).toContain('will email welcome-queue@example.com about: Posts, weekly digest.');
    expect(parsed.text).toContain(`${SITE}/preferences?token=abc`);
    // Mustache escapes / and = as entities in attributes; a browser reads the same URL.
    expect(parsed.html).toContain('<a href="https:&#x2F;&#x2F;blog.example&#x2F;preferences?token&#x3D;abc"');
    expect(parsed.html).toContain('>Email preferences</a>');
  });
});

describe('download my data', () => {
  it('answers a token holder with an attachment of account, preferences, consents, history and session count, never a hash', async () => {
    const token = await subscribeAndGetToken('export@example.com');
    await handleVerify(t.db, formRequest('/verify', { token }), fakeDeps());
    const user = (await getUserByEmail(t.db, 'export@example.com'))!;
    await t.d1.prepare("UPDATE users SET password_hash = 'pbkdf2$secret-hash' WHERE id = ?1").bind(user.id).run();
    await createUserSession(t.db, user.id);
    const pref = await preferenceToken(user.id);
    const response = await handleExport(t.db, formRequest('/preferences/export', { token: pref }), null, {});
    expect(response.status).toBe(200);
    expect(response.headers.get('content-disposition')).toMatch(/^attachment; filename="my-data-\d{4}-\d{2}-\d{2}\.json"$/);
    expect(response.headers.get('cache-control')).toBe('no-store');
    expect(response.headers.get('content-type')).toBe('application/json; charset=utf-8');
    const text = await response.text();
    const data = JSON.parse(text);
    expect(data.account).toMatchObject({ email: 'export@example.com', emailVerified: true, hasPassword: true });
    expect(data.preferences).toEqual({ contentTypes: ['blog', 'thought'], frequency: 'weekly', unsubscribeAll: false });
    expect(data.consents).toHaveLength(1);
    expect(data.consents[0]).toMatchObject({ source: 'subscribe_form', textVersion: CONSENT_TEXT.version, text: CONSENT_TEXT.text });
    expect(data.consents[0].confirmedAt).not.toBeNull();
    expect(data.history.map((h: { action: string }) => h.action).sort()).toEqual(['subscribed', 'verified']);
    expect(data.sessionCount).toBe(1);
    const hashes = await rows<{ h: string }>(
      `SELECT password_hash AS h FROM users WHERE id = ?1 UNION ALL SELECT token FROM unsubscribe_tokens WHERE user_id = ?1 UNION ALL SELECT id FROM sessions WHERE user_id = ?1`,
      user.id,
    );
    for (const { h } of hashes) expect(text).not.toContain(h);
    expect(text).not.toMatch(/passwordHash|password_hash|verificationToken/);
  });

  it('serves the signed-in reader without a token', async () => {
    const user = await createUser(t.db, { email: 'export-session@example.com', emailVerified: true });
    const response = await handleExport(t.db, formRequest('/preferences/export', {}), user, {});
    expect(response.status).toBe(200);
    expect(JSON.parse(await response.text()).account.email).toBe('export-session@example.com');
  });

  it('refuses no session and no token (401), a forged or wrong-type token (404), an expired one (410) and a huge body (413)', async () => {
    const user = await createUser(t.db, { email: 'export-refused@example.com', emailVerified: true });
    const oneClick = (await createUnsubscribeToken(t.db, { userId: user.id, tokenType: 'one_click' })).token;
    const expired = await preferenceToken(user.id, 60, new Date(Date.now() - 3600_000));
    const statusOf = async (fields: Record<string, string>) => (await handleExport(t.db, formRequest('/preferences/export', fields), null, {})).status;
    expect(await statusOf({})).toBe(401);
    expect(await statusOf({ token: 'forged-token-value-0123456789' })).toBe(404);
    expect(await statusOf({ token: oneClick })).toBe(404);
    expect(await statusOf({ token: 'bad\u0000token' })).toBe(404);
    expect(await statusOf({ token: expired })).toBe(410);
    expect(await statusOf({ token: 'x'.repeat(40_000) })).toBe(413);
  });
});

describe('delete my account', () => {
  it('asks first, then erases the user and everything that cascades, clears the cookie and shows the done page', async () => {
    const token = await subscribeAndGetToken('erase-me@example.com');
    await handleVerify(t.db, formRequest('/verify', { token }), fakeDeps());
    const user = (await getUserByEmail(t.db, 'erase-me@example.com'))!;
    await createUserSession(t.db, user.id);
    const pref = await preferenceToken(user.id);
    // Buckets keyed by the address: a sign-in link request and wrong passwords (per address and IP).
    await handleLinkRequest(t.db, formRequest('/account/sign-in-link', { email: 'erase-me@example.com' }), fakeDeps(), 'sign_in');
    await handleLogin(t.db, formRequest('/account/login', { email: 'erase-me@example.com', password: 'not the password' }), {});
    const segment = (await sha256Hex('erase-me@example.com')).slice(0, 32);
    const buckets = () => rows<{ bucket: string }>("SELECT bucket FROM rate_limits WHERE instr(bucket, ?1) > 0 OR bucket LIKE 'login:fail%'", segment);
    expect((await buckets()).length).toBeGreaterThanOrEqual(5); // subscribe, link, three login-failure windows

    const ask = await handleDelete(t.db, formRequest('/preferences/delete', { token: pref }), null, {});
    expect(ask).toMatchObject({ type: 'render', status: 200, view: { state: 'confirm', email: 'erase-me@example.com', token: pref } });
    expect(await getUserByEmail(t.db, 'erase-me@example.com')).toBeDefined();

    const done = await handleDelete(t.db, formRequest('/preferences/delete', { token: pref, confirm: 'yes' }), null, {});
    if (done.type !== 'response') throw new Error('expected a redirect');
    expect(done.response.status).toBe(303);
    expect(done.response.headers.get('location')).toBe('/preferences/delete?done=1');
    expect(done.response.headers.get('set-cookie')).toMatch(/^astro_d1_notify_session=; .*Max-Age=0/);
    expect(await getUserByEmail(t.db, 'erase-me@example.com')).toBeUndefined();
    for (const table of ['consents', 'email_notification_history', 'sessions', 'unsubscribe_tokens', 'email_notifications'])
      expect(await countOf(table, user.id), table).toBe(0);
    expect(await buckets()).toEqual([]); // no rate-limit bucket keeps the address's hash
    // Never unsubscribed, never complained: nothing is kept, not even the hash.
    expect(await rows('SELECT 1 FROM suppressions WHERE address_hash = ?1', await addressHash('erase-me@example.com'))).toEqual([]);
    const [audit] = await rows<{ actor: string; target_id: string; details: string; ip_address: string | null }>(
      "SELECT actor, target_id, details, ip_address FROM admin_audit_log WHERE action = 'reader_erased' AND target_id = ?1",
      user.id,
    );
    expect(audit).toMatchObject({ actor: 'reader', target_id: user.id, ip_address: null });
    expect(JSON.stringify(audit)).not.toContain('erase-me@example.com');
    // The same link again is unknown now.
    expect(await handleDelete(t.db, formRequest('/preferences/delete', { token: pref, confirm: 'yes' }), null, {})).toMatchObject({
      status: 404,
      view: { state: 'invalid' },
    });
    expect(showDelete(new URL(`${SITE}/preferences/delete?done=1`), null)).toMatchObject({ view: { state: 'done' } });
  });

  it('keeps only the suppression hash of a reader who had unsubscribed, and one who complained', async () => {
    const unsub = await createUser(t.db, { email: 'erase-unsub@example.com', emailVerified: true });
    await t.d1.prepare("UPDATE users SET unsubscribe_all = 1, email_status = 'unsubscribed' WHERE id = ?1").bind(unsub.id).run();
    const complained = await createUser(t.db, { email: 'erase-complained@example.com', emailVerified: true });
    await t.d1.prepare("INSERT INTO email_notification_history (id, user_id, action) VALUES ('h-complaint', ?1, 'complained')").bind(complained.id).run();
    for (const u of [unsub, complained]) {
      const result = await handleDelete(t.db, formRequest('/preferences/delete', { confirm: 'yes' }), u, {});
      expect(result.type).toBe('response');
    }
    const kept = await rows<{ address_hash: string; reason: string; source: string }>(
      'SELECT address_hash, reason, source FROM suppressions WHERE source = ?1 ORDER BY reason',
      'erasure',
    );
    expect(kept).toEqual([
      { address_hash: await addressHash('erase-complained@example.com'), reason: 'complaint', source: 'erasure' },
      { address_hash: await addressHash('erase-unsub@example.com'), reason: 'unsubscribed', source: 'erasure' },
    ]);
    expect(await rows("SELECT id FROM users WHERE email IN ('erase-unsub@example.com', 'erase-complained@example.com')")).toEqual([]);

    // Someone subscribes the erased address again: the same answer, no row again, nothing mailed (test/reader-suppressed.test.ts).
    const deps = fakeDeps();
    const again = await handleSubscribeApi(
      t.db,
      jsonRequest('/api/subscribe', { email: 'erase-unsub@example.com', contentTypes: ['blog'], frequency: 'daily' }),
      deps,
    );
    expect(again.status).toBe(202);
    expect(deps.sent).toEqual([]);
    expect(await rows("SELECT id FROM users WHERE email = 'erase-unsub@example.com'")).toEqual([]);
  });

  it('refuses without a session or token, and never erases on a GET', async () => {
    expect(await handleDelete(t.db, formRequest('/preferences/delete', { confirm: 'yes' }), null, {})).toMatchObject({
      status: 401,
      view: { state: 'signed-out' },
    });
    const user = await createUser(t.db, { email: 'get-never-erases@example.com' });
    const get = showDelete(new URL(`${SITE}/preferences/delete?confirm=yes`), user);
    expect(get.type === 'response' && get.response.headers.get('location')).toBe('/preferences');
    expect(await getUserByEmail(t.db, 'get-never-erases@example.com')).toBeDefined();
  });
});

describe("the console's erase action", () => {
  const ORIGIN = 'http://127.0.0.1:4321';
  const CSRF = 'c'.repeat(43);
  const settings: AdminSettings = { access: null, devBypass: true, mailTransport: 'dev' };
  const act = (id: string, fields: Record<string, string>) =>
    handleAdminPost(
      new Request(`${ORIGIN}/admin/subscribers/${id}/action`, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded', origin: ORIGIN, cookie: `${CSRF_COOKIE}=${CSRF}` },
        body: new URLSearchParams({ csrf: CSRF, ...fields }),
      }),
      null,
      settings,
      (ctx) => subscriberAction({ db: t.db }, ctx, id),
    );

  it('needs the confirm box, then erases and audits it with the actor', async () => {
    const user = await createUser(t.db, { email: 'console-erase@example.com', emailVerified: true });
    await suppressAddress(t.db, user.email, { reason: 'hard_bounce', source: 'ses' });
    expect((await act(user.id, { op: 'erase' })).status).toBe(400);
    expect(await getUserByEmail(t.db, user.email)).toBeDefined();
    const done = await act(user.id, { op: 'erase', confirm: 'yes' });
    expect(done.status).toBe(303);
    expect(decodeURIComponent(done.headers.get('location')!)).toContain('/admin/subscribers?notice=Reader erased; their address hash stays');
    expect(await getUserByEmail(t.db, user.email)).toBeUndefined();
    expect(await rows("SELECT actor FROM admin_audit_log WHERE action = 'reader_erased' AND target_id = ?1", user.id)).toEqual([{ actor: 'dev-bypass' }]);
    expect((await act(user.id, { op: 'erase', confirm: 'yes' })).status).toBe(404);
  });
});

describe('npm run db:erase', () => {
  it('erases by address over the D1 HTTP API, keeps the hash of an unsubscribed reader, and refuses bad usage', async () => {
    const api = await startD1ApiStandIn();
    try {
      const env = {
        CLOUDFLARE_ACCOUNT_ID: api.accountId,
        CLOUDFLARE_API_TOKEN: api.token,
        CLOUDFLARE_D1_DATABASE_ID: api.databaseId,
        CLOUDFLARE_API_BASE_URL: api.apiBase,
      };
      api.sqlite.exec("INSERT INTO users (id, email, email_verified, unsubscribe_all) VALUES ('u-cli', 'cli-reader@example.com', 1, 1)");
      api.sqlite.exec("INSERT INTO sessions (id, user_id, expires_at) VALUES ('s-cli', 'u-cli', 9999999999)");
      const lines: string[] = [];
      const ctx: CommandContext = { env, root: ROOT, log: (l) => lines.push(l) };
      expect(await eraseCommand([' CLI-Reader@Example.com ', '--remote'], ctx)).toBe(0);
      expect(lines.at(-1)).toMatch(/Erased the reader on remote D1 .*stays on the suppression list/);
      expect(api.sqlite.prepare("SELECT count(*) AS n FROM users WHERE id = 'u-cli'").get()).toEqual({ n: 0 });
      expect(api.sqlite.prepare("SELECT count(*) AS n FROM sessions WHERE user_id = 'u-cli'").get()).toEqual({ n: 0 });
      expect(api.sqlite.prepare('SELECT reason FROM suppressions WHERE address_hash = ?').get(await addressHash('cli-reader@example.com'))).toEqual({
        reason: 'unsubscribed',
      });
      expect(await eraseCommand(['nobody@example.com', '--remote'], ctx)).toBe(1);
      expect(lines.at(-1)).toMatch(/No reader with that address/);
      await expect(eraseCommand(['--remote'], ctx)).rejects.toThrow(UsageError);
      await expect(eraseCommand(['a@example.com', 'b@example.com', '--remote'], ctx)).rejects.toThrow(UsageError);
      await expect(eraseCommand(['bad\u0007@example.com', '--remote'], ctx)).rejects.toThrow(UsageError);
    } finally {
      await api.close();
    }
  });
});
