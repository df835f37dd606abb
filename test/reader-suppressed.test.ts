/**
 * Issue 18, "suppressed means no row": after an erasure (of a reader who had unsubscribed) or a
 * bounce of someone who never subscribed, every public entry point (subscribe form and JSON,
 * register, sign-in link, reset) answers as for any address and stores nothing about it: no
 * reader row, no consent, no history with the stranger's IP, no per-address rate-limit bucket,
 * and mails nothing. Real local D1, handlers called as an attacker would call the routes.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sha256Hex } from '../db/crypto';
import { eraseReader } from '../db/readers/data-rights';
import { unsubscribeUserFromAll } from '../db/readers/preferences';
import { suppressAddress } from '../db/feedback/suppressions';
import { createUser } from '../db/readers/users';
import { handleLinkRequest, type LinkRequestKind } from '../integration/server/reader/account-links';
import { handleSubscribeApi, handleSubscribeForm } from '../integration/server/reader/subscribe';
import { createTestD1, type TestD1 } from './helpers/d1';
import { fakeDeps, formRequest, jsonRequest } from './helpers/reader';

let t: TestD1;
beforeAll(async () => {
  t = await createTestD1();
});
afterAll(async () => t?.dispose());

const count = async (sql: string, ...params: unknown[]) =>
  (await t.d1
    .prepare(sql)
    .bind(...params)
    .first<{ n: number }>())!.n;

/** Everything that could hold something about the address. */
async function tracesOf(email: string) {
  const prefix = (await sha256Hex(email)).slice(0, 32);
  return {
    users: await count('SELECT count(*) AS n FROM users WHERE email = ?1', email),
    consents: await count('SELECT count(*) AS n FROM consents WHERE user_id NOT IN (SELECT id FROM users)'),
    strangerIp: await count(
      "SELECT (SELECT count(*) FROM consents WHERE ip_address = '203.0.113.99') + (SELECT count(*) FROM email_notification_history WHERE ip_address = '203.0.113.99') AS n",
    ),
    buckets: await count('SELECT count(*) AS n FROM rate_limits WHERE instr(bucket, ?1) > 0', prefix),
  };
}

async function attack(email: string) {
  const deps = fakeDeps();
  const headers = { 'cf-connecting-ip': '203.0.113.99' };
  const api = await handleSubscribeApi(t.db, jsonRequest('/api/subscribe', { email, contentTypes: ['blog'], frequency: 'daily' }, { headers }), deps);
  const form = await handleSubscribeForm(t.db, formRequest('/subscribe', { email, contentTypes: 'blog', frequency: 'daily' }, headers), deps);
  const links: unknown[] = [];
  for (const kind of ['register', 'sign_in', 'reset'] as LinkRequestKind[]) {
    const result = await handleLinkRequest(t.db, formRequest(`/account/${kind}`, { email }, headers), deps, kind);
    links.push(result.type === 'response' ? [result.response.status, result.response.headers.get('location')] : result);
  }
  return {
    api: [api.status, await api.text()],
    form: form.type === 'response' ? [form.response.status, form.response.headers.get('location')] : form,
    links,
    sent: deps.sent,
  };
}

describe('a suppressed address without a reader gets no row again', () => {
  it('after the erasure of a reader who unsubscribed: same answers, nothing stored, nothing mailed', async () => {
    const user = await createUser(t.db, { email: 'erased@example.com', emailVerified: true, emailBlogUpdates: true });
    await unsubscribeUserFromAll(t.db, user.id);
    expect(await eraseReader(t.db, user, { actor: 'reader' })).toMatchObject({ erased: true, suppressionKept: true });
    await t.d1.prepare('DELETE FROM rate_limits').run();

    const suppressed = await attack('erased@example.com');
    expect(suppressed.sent).toEqual([]);
    expect(await tracesOf('erased@example.com')).toEqual({ users: 0, consents: 0, strangerIp: 0, buckets: 0 });
    const unknown = await attack('someone-new@example.com');
    expect(suppressed.api).toEqual([202, unknown.api[1]]);
    expect(suppressed.form).toEqual(unknown.form);
    expect(suppressed.links).toEqual(unknown.links);
    expect(unknown.sent.length).toBeGreaterThan(0); // the same requests for any other address do store and mail
  });

  it('after a bounce of an address that never subscribed: the same', async () => {
    await suppressAddress(t.db, 'Never.Subscribed@example.com', { reason: 'hard_bounce', source: 'ses' });
    await t.d1.batch([t.d1.prepare('DELETE FROM consents'), t.d1.prepare('DELETE FROM email_notification_history'), t.d1.prepare('DELETE FROM rate_limits')]);
    const result = await attack('never.subscribed@example.com');
    expect(result.api[0]).toBe(202);
    expect(result.sent).toEqual([]);
    expect(await tracesOf('never.subscribed@example.com')).toEqual({ users: 0, consents: 0, strangerIp: 0, buckets: 0 });
  });
});
