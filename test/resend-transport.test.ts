// The real Resend transport against a stand-in for Resend's API on 127.0.0.1
// (test/helpers/resend-standin.ts), alone and under the processor with a local D1.
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { buildDeliveryDeps } from '../integration/delivery/deps';
import { buildMessage, makeMessageId, type MessageInput } from '../integration/delivery/mime';
import { processNotifications } from '../integration/delivery/processor';
import type { OutgoingEmail } from '../integration/delivery/transport';
import { createResendTransport } from '../integration/delivery/providers/resend/transport';
import { createTestD1, type TestD1 } from './helpers/d1';
import { addContent, addReader, clearTables, SITE } from './helpers/delivery';
import { startResendStandin, type ResendStandin } from './helpers/resend-standin';
import { workerdLikeFetch } from './helpers/standin-server';

let resend: ResendStandin;
let t: TestD1;
beforeAll(async () => {
  resend = await startResendStandin({ senderDomain: 'blog.example.com' });
  t = await createTestD1();
});
afterAll(async () => {
  await resend?.close();
  await t?.dispose();
});
beforeEach(async () => {
  resend.reset();
  resend.requestsPerSecond = 5;
  resend.dailyQuota = 0;
  await clearTables(t.d1);
});

const input = (n = 0, to = `reader${n}@example.org`): MessageInput => ({
  from: { email: 'news@blog.example.com', name: 'Plain Words' },
  to: { email: to },
  subject: `New post ${n}`,
  text: `Hello,\n\nNew post: https://blog.example.com/blog/${n}\n`,
  html: `<p><a href="https://blog.example.com/blog/${n}">New post</a></p>`,
  messageId: makeMessageId('blog.example.com'),
  date: new Date('2026-11-25T05:00:00Z'),
  listUnsubscribeUrl: `https://blog.example.com/api/unsubscribe/one-click?token=t${n}`,
  listId: 'blog.blog.example.com',
});
const outgoing = (m: MessageInput): OutgoingEmail => ({ to: m.to.email, raw: buildMessage(m), messageIdHeader: m.messageId });
// workerd's fetch adds no User-Agent: the transport must send its own.
const transport = (apiKey?: string) =>
  createResendTransport({ apiKey: apiKey ?? resend.apiKey, apiBase: resend.url, timeoutMs: 5_000, fetch: workerdLikeFetch });

describe('Resend transport against the Resend stand-in', () => {
  it('sends a batch in one request with bearer auth and an idempotency key; ids come back in order; list headers are set', async () => {
    const results = await transport().sendBatch!([input(1), input(2), input(3)].map(outgoing));
    expect(resend.batchRequests).toBe(1);
    expect(resend.idempotencyKeys).toHaveLength(1);
    expect(resend.idempotencyKeys[0]).toMatch(/^batch\/[0-9a-f]{64}$/);
    expect(results.map((r) => r.ok && r.providerMessageId)).toEqual(resend.accepted.map((e) => e.id));
    const first = resend.accepted[0]!;
    expect(first).toMatchObject({ from: 'Plain Words <news@blog.example.com>', to: ['reader1@example.org'], subject: 'New post 1' });
    expect(first.headers).toEqual({
      'List-Unsubscribe': '<https://blog.example.com/api/unsubscribe/one-click?token=t1>',
      'List-Unsubscribe-Post': 'List-Unsubscribe=One-Click',
      'List-Id': '<blog.blog.example.com>',
    });
    expect(first.text).toContain('https://blog.example.com/blog/1');
    expect(first.html).toContain('href="https://blog.example.com/blog/1"');
    expect(first.reply_to).toBeUndefined();
  });

  it("passes the message's Reply-To as reply_to (the author's address for readers' replies)", async () => {
    await transport().sendBatch!([outgoing({ ...input(1), replyTo: { email: 'ada@blog.example.com', name: 'Ada' } })]);
    expect(resend.accepted[0]!.reply_to).toBe('Ada <ada@blog.example.com>');
  });

  it('names itself in a User-Agent; a request without one is refused at the edge (403, Cloudflare 1010) and fails for good', async () => {
    expect((await transport().send(outgoing(input(30)))).ok).toBe(true);
    expect(resend.refusedWithoutUserAgent).toBe(0);
    const stripped: typeof fetch = (url, init) => {
      const headers = new Headers(init?.headers);
      headers.delete('user-agent');
      return workerdLikeFetch(url as string, { ...init, headers });
    };
    const refused = await createResendTransport({ apiKey: resend.apiKey, apiBase: resend.url, fetch: stripped }).send(outgoing(input(31)));
    expect(refused).toMatchObject({ ok: false, retryable: false, code: 'edge_refused' });
    expect(resend.refusedWithoutUserAgent).toBe(1);
    expect(resend.accepted).toHaveLength(1);
  });

  it('a repeated request (same key, same payload) returns the first ids and sends nothing twice', async () => {
    const emails = [input(4), input(5)].map(outgoing);
    const first = await transport().sendBatch!(emails);
    const again = await transport().sendBatch!(emails);
    expect(again).toEqual(first);
    expect(resend.batchRequests).toBe(2);
    expect(resend.idempotencyKeys[0]).toBe(resend.idempotencyKeys[1]);
    expect(resend.accepted).toHaveLength(2);
  });

  it('permissive validation: an invalid recipient fails alone (permanent), the others keep their own ids', async () => {
    const bad = { ...outgoing(input(7)), to: 'not-an-address' };
    const results = await transport().sendBatch!([outgoing(input(6)), bad, outgoing(input(8))]);
    expect(results[1]).toMatchObject({ ok: false, retryable: false, code: 'validation_error' });
    expect([results[0], results[2]].map((r) => r!.ok && r!.providerMessageId)).toEqual(resend.accepted.map((e) => e.id));
    expect(resend.accepted.map((e) => e.to[0])).toEqual(['reader6@example.org', 'reader8@example.org']);
  });

  it('refuses a wrong API key (403 invalid_api_key) for good, without the key in the error', async () => {
    const [result] = await transport('re_wrong_key_42').sendBatch!([outgoing(input(9))]);
    expect(result).toMatchObject({ ok: false, retryable: false, code: 'auth' });
    expect(!result!.ok && result!.error).not.toContain('re_wrong_key_42');
    expect(resend.accepted).toHaveLength(0);
  });

  it('a 429 rate_limit_exceeded is retryable after Retry-After; the daily quota waits for UTC midnight', async () => {
    resend.requestsPerSecond = 1;
    const t1 = transport();
    expect((await t1.send(outgoing(input(10)))).ok).toBe(true);
    const limited = await t1.send(outgoing(input(11)));
    expect(limited).toMatchObject({ ok: false, retryable: true, code: 'throttled', retryAfterSeconds: 1 });
    resend.requestsPerSecond = 100;
    resend.dailyQuota = 1;
    const now = new Date();
    const quota = await createResendTransport({ apiKey: resend.apiKey, apiBase: resend.url, clock: () => now, fetch: workerdLikeFetch }).send(
      outgoing(input(12)),
    );
    const midnight = Math.ceil((Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate() + 1) - now.getTime()) / 1000);
    expect(quota).toMatchObject({ ok: false, retryable: true, code: 'daily_quota', retryAfterSeconds: midnight });
  });

  it('the same key with another payload is a 409 invalid_idempotent_request: permanent, nothing sent', async () => {
    const fetchSameKey: typeof fetch = async (url, init) => {
      const headers = new Headers(init?.headers);
      headers.set('idempotency-key', 'batch/fixed');
      return workerdLikeFetch(url as string, { ...init, headers });
    };
    const t1 = createResendTransport({ apiKey: resend.apiKey, apiBase: resend.url, fetch: fetchSameKey });
    expect((await t1.send(outgoing(input(13)))).ok).toBe(true);
    const second = await t1.send(outgoing(input(14)));
    expect(second).toMatchObject({ ok: false, retryable: false, code: 'invalid_idempotent_request' });
    expect(resend.accepted).toHaveLength(1);
  });
});

describe('Resend under the processor (local D1)', () => {
  it('splits 150 emails into batch requests of at most 100 (two subrequests)', async () => {
    for (let i = 0; i < 150; i++) await addReader(t.db, `r${String(i).padStart(3, '0')}@example.org`);
    await addContent(t.db, { title: 'Big day', publishDate: '2026-11-25T09:00:00Z' });
    const deps = buildDeliveryDeps(
      { DB: t.d1 },
      {
        settings: {
          SITE_URL: SITE,
          SITE_NAME: 'Plain Words',
          POSTAL_ADDRESS: '1 Example Street, Example City',
          MAIL_FROM: 'Plain Words <news@blog.example.com>',
          MAIL_TRANSPORT: 'resend',
          RESEND_API_KEY: resend.apiKey,
          RESEND_ENDPOINT: resend.url,
          RATE_PER_MINUTE: '0',
          DAILY_CAP: '0',
        },
      },
    );
    expect(deps.transactionalTransport).toBeUndefined(); // one transport for both kinds
    const summary = await processNotifications({ ...deps, clock: () => new Date('2026-11-25T10:00:00Z') }, { batchSize: 150 });
    expect(summary).toMatchObject({ sent: 150, failed: 0, remaining: 0 });
    expect(resend.batchRequests).toBe(2);
    expect(resend.accepted).toHaveLength(150);
  });
});
