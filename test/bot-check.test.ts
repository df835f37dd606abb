/**
 * Bot protection on subscribe (form and JSON) and register: the honeypot always, Turnstile's
 * siteverify against a stand-in on 127.0.0.1. A failed check answers 400 with a clear message,
 * and writes nothing (no reader, no consent, no rate-limit window) and mails nothing.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BOT_MESSAGES, type BotCheckConfig, verifyTurnstile } from '../integration/server/bot-check';
import { handleLinkRequest } from '../integration/server/reader/account-links';
import { handleSubscribeApi, handleSubscribeForm } from '../integration/server/reader/subscribe';
import { createTestD1, type TestD1 } from './helpers/d1';
import { fakeDeps, formRequest, jsonRequest } from './helpers/reader';
import { startTurnstileStandIn, TURNSTILE_SECRET } from './helpers/turnstile-standin';

let t: TestD1;
let standIn: Awaited<ReturnType<typeof startTurnstileStandIn>>;
let config: BotCheckConfig;
beforeAll(async () => {
  [t, standIn] = await Promise.all([createTestD1(), startTurnstileStandIn()]);
  config = { siteKey: '1x-site-key', secretKey: TURNSTILE_SECRET, verifyUrl: standIn.verifyUrl, hostname: 'blog.example' };
});
afterAll(async () => Promise.all([t?.dispose(), standIn?.close()]));

const count = async (sql: string) => (await t.d1.prepare(sql).first<{ n: number }>())!.n;
const nothingWritten = async () => ({
  users: await count('SELECT count(*) AS n FROM users'),
  consents: await count('SELECT count(*) AS n FROM consents'),
  rateLimits: await count('SELECT count(*) AS n FROM rate_limits'),
});
const subscribeFields = (email: string, extra: Record<string, string> = {}) => ({ email, contentTypes: ['blog'], frequency: 'daily', ...extra });

describe('the honeypot (always on)', () => {
  it('refuses a filled-in honeypot with 400 and a message, writes nothing and mails nothing, even without Turnstile', async () => {
    const deps = fakeDeps();
    const before = await nothingWritten();
    const form = await handleSubscribeForm(t.db, formRequest('/subscribe', subscribeFields('bot@example.com', { website: 'http://spam.example' })), deps);
    expect(form).toMatchObject({ type: 'render', status: 400, view: { errors: { form: BOT_MESSAGES.honeypot } } });
    const api = await handleSubscribeApi(t.db, jsonRequest('/api/subscribe', { ...subscribeFields('bot@example.com'), website: 'x' }), deps);
    expect(api.status).toBe(400);
    expect(await api.json()).toEqual({ error: 'invalid_input', fields: [{ field: 'website', reason: BOT_MESSAGES.honeypot }] });
    const register = await handleLinkRequest(t.db, formRequest('/account/register', { email: 'bot@example.com', website: 'x' }), deps, 'register');
    expect(register).toMatchObject({ status: 400, view: { errors: { form: BOT_MESSAGES.honeypot } } });
    expect(deps.sent).toEqual([]);
    expect(await nothingWritten()).toEqual(before);
  });

  it('lets an empty honeypot through when Turnstile is off (the form works without JavaScript)', async () => {
    const deps = fakeDeps();
    const result = await handleSubscribeForm(t.db, formRequest('/subscribe', subscribeFields('person@example.com', { website: '' })), deps);
    expect(result.type).toBe('response');
    expect(deps.sent.map((s) => s.email)).toEqual(['person@example.com']);
  });
});

describe('Turnstile siteverify (stand-in)', () => {
  it('sends secret, response and remoteip; a solved token on our hostname passes', async () => {
    const deps = fakeDeps({ botCheck: config });
    standIn.calls.length = 0;
    const result = await handleSubscribeForm(t.db, formRequest('/subscribe', subscribeFields('solved@example.com', { 'cf-turnstile-response': 'pass' })), deps);
    expect(result.type).toBe('response');
    expect(standIn.calls).toEqual([{ secret: TURNSTILE_SECRET, response: 'pass', remoteip: '203.0.113.7' }]);
    expect(deps.sent.map((s) => s.email)).toEqual(['solved@example.com']);
  });

  it.each([
    ['no token', undefined, BOT_MESSAGES.missing],
    ['a forged token', 'forged', BOT_MESSAGES.failed],
    ['a used or expired token (timeout-or-duplicate)', 'used', BOT_MESSAGES.expired],
    ['a token solved on another hostname', 'pass-elsewhere', BOT_MESSAGES.failed],
    ['a token over 2048 characters', 'p'.repeat(2049), BOT_MESSAGES.failed],
  ])('refuses %s: 400 with the message, nothing written, no mail', async (_name, token, message) => {
    const deps = fakeDeps({ botCheck: config });
    const before = await nothingWritten();
    const fields = subscribeFields('refused@example.com', token === undefined ? {} : { 'cf-turnstile-response': token });
    expect(await handleSubscribeForm(t.db, formRequest('/subscribe', fields), deps)).toMatchObject({ status: 400, view: { errors: { form: message } } });
    const register = await handleLinkRequest(
      t.db,
      formRequest('/account/register', { email: 'refused@example.com', ...(token === undefined ? {} : { 'cf-turnstile-response': token }) }),
      deps,
      'register',
    );
    expect(register).toMatchObject({ status: 400, view: { errors: { form: message } } });
    expect(deps.sent).toEqual([]);
    expect(await nothingWritten()).toEqual(before);
  });

  it('the JSON API takes `turnstileToken` and names it in the field error', async () => {
    const deps = fakeDeps({ botCheck: config });
    const refused = await handleSubscribeApi(t.db, jsonRequest('/api/subscribe', { ...subscribeFields('json@example.com'), turnstileToken: 'used' }), deps);
    expect(refused.status).toBe(400);
    expect(await refused.json()).toEqual({ error: 'invalid_input', fields: [{ field: 'turnstileToken', reason: BOT_MESSAGES.expired }] });
    const passed = await handleSubscribeApi(t.db, jsonRequest('/api/subscribe', { ...subscribeFields('json@example.com'), turnstileToken: 'pass' }), deps);
    expect(passed.status).toBe(202);
    expect(deps.sent.map((s) => s.email)).toEqual(['json@example.com']);
  });

  it('fails closed on a wrong secret, a timeout and an unreachable siteverify', async () => {
    expect(await verifyTurnstile({ ...config, secretKey: 'wrong' }, 'pass', null)).toEqual({
      ok: false,
      message: BOT_MESSAGES.failed,
      codes: ['invalid-input-secret'],
    });
    expect(await verifyTurnstile({ ...config, secretKey: TURNSTILE_SECRET, timeoutMs: 300 }, 'slow', null)).toEqual({
      ok: false,
      message: BOT_MESSAGES.unavailable,
      codes: ['unreachable'],
    });
    expect(await verifyTurnstile({ ...config, secretKey: TURNSTILE_SECRET, verifyUrl: 'http://127.0.0.1:9/siteverify' }, 'pass', null)).toMatchObject({
      ok: false,
      message: BOT_MESSAGES.unavailable,
    });
  });
});
