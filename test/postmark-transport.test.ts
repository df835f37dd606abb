// The real Postmark transport against a stand-in for Postmark's API on 127.0.0.1
// (test/helpers/postmark-standin.ts), alone and under the processor with a local D1.
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { buildDeliveryDeps } from '../integration/delivery/deps';
import { buildMessage, makeMessageId, type MessageInput } from '../integration/delivery/mime';
import { processNotifications } from '../integration/delivery/processor';
import type { OutgoingEmail } from '../integration/delivery/transport';
import { classifyPostmark, createPostmarkTransport } from '../integration/delivery/providers/postmark/transport';
import { handlePostmarkWebhook } from '../integration/delivery/providers/postmark/webhook';
import { queueVerificationEmail } from '../integration/delivery/verification';
import { createTestD1, type TestD1 } from './helpers/d1';
import { addContent, addReader, clearTables, rows, SITE } from './helpers/delivery';
import { startPostmarkStandin, type PostmarkStandin } from './helpers/postmark-standin';

let postmark: PostmarkStandin;
let t: TestD1;
beforeAll(async () => {
  postmark = await startPostmarkStandin({ senderDomain: 'blog.example.com' });
  t = await createTestD1();
});
afterAll(async () => {
  await postmark?.close();
  await t?.dispose();
});
beforeEach(async () => {
  postmark.reset();
  await clearTables(t.d1);
});

const input = (n = 0): MessageInput => ({
  from: { email: 'news@blog.example.com', name: 'Plain Words' },
  to: { email: `reader${n}@example.org` },
  subject: `New post ${n}: Grüße ☕`,
  text: `Hello,\n\nNew post: https://blog.example.com/blog/${n}\n`,
  html: `<p>Hello,</p><p><a href="https://blog.example.com/blog/${n}">Grüße</a></p>`,
  messageId: makeMessageId('blog.example.com'),
  date: new Date('2026-11-25T05:00:00Z'),
  listUnsubscribeUrl: `https://blog.example.com/api/unsubscribe/one-click?token=t${n}`,
  listId: 'blog.blog.example.com',
});
const outgoing = (m: MessageInput): OutgoingEmail => ({ to: m.to.email, raw: buildMessage(m), messageIdHeader: m.messageId });
const transport = (over: { serverToken?: string; messageStream?: string } = {}) =>
  createPostmarkTransport({ serverToken: postmark.serverToken, messageStream: 'broadcast', apiBase: postmark.url, timeoutMs: 5_000, ...over });
const header = (m: { Headers?: { Name: string; Value: string }[] }, name: string) => m.Headers?.find((h) => h.Name === name)?.Value;

describe('Postmark transport against the Postmark stand-in', () => {
  it('sends a batch in one request on the broadcast stream, with the parts, Message-ID and list headers', async () => {
    const inputs = [input(1), input(2), input(3)];
    const results = await transport().sendBatch!(inputs.map(outgoing));
    expect(postmark.batchRequests).toBe(1);
    expect(results.map((r) => r.ok && r.providerMessageId)).toEqual(postmark.accepted.map((m) => m.MessageID));
    const first = postmark.accepted[0]!;
    expect(first).toMatchObject({
      From: 'Plain Words <news@blog.example.com>',
      To: 'reader1@example.org',
      Subject: 'New post 1: Grüße ☕',
      MessageStream: 'broadcast',
    });
    expect(first.TextBody).toContain('https://blog.example.com/blog/1');
    expect(first.HtmlBody).toContain('<a href="https://blog.example.com/blog/1">Grüße</a>');
    expect(header(first, 'Message-ID')).toBe(inputs[0]!.messageId);
    expect(header(first, 'List-Unsubscribe')).toBe('<https://blog.example.com/api/unsubscribe/one-click?token=t1>');
    expect(header(first, 'List-Unsubscribe-Post')).toBe('List-Unsubscribe=One-Click');
    expect(header(first, 'List-Id')).toBe('<blog.blog.example.com>');
  });

  it('maps ErrorCode 406 (inactive recipient) to a permanent recipient_suppressed, and the rest of the batch still goes', async () => {
    postmark.inactive.add('reader5@example.org');
    const results = await transport().sendBatch!([input(4), input(5), input(6)].map(outgoing));
    expect(results[0]!.ok && results[2]!.ok).toBe(true);
    expect(results[1]).toMatchObject({ ok: false, retryable: false, code: 'recipient_suppressed' });
    expect(!results[1]!.ok && results[1]!.error).toContain('ErrorCode 406');
    expect(!results[1]!.ok && results[1]!.error).toContain('Found inactive addresses: <recipient>'); // the address stays out of history
    expect(postmark.accepted.map((m) => m.To)).toEqual(['reader4@example.org', 'reader6@example.org']);
  });

  it('refuses a wrong server token (401, ErrorCode 10): every email fails for good and the token never appears in the error', async () => {
    const results = await transport({ serverToken: 'wrong-token-123' }).sendBatch!([input(7), input(8)].map(outgoing));
    expect(results).toHaveLength(2);
    for (const r of results) expect(r).toMatchObject({ ok: false, retryable: false, code: 'auth' });
    expect(results.map((r) => (!r.ok ? r.error : '')).join()).not.toContain('wrong-token-123');
    expect(postmark.accepted).toHaveLength(0);
  });

  it('treats 429 (with Retry-After) and 5xx as transient for the whole batch', async () => {
    postmark.failNext({ status: 429, retryAfter: '30' }, { status: 503 });
    const limited = await transport().sendBatch!([input(9), input(10)].map(outgoing));
    expect(limited).toHaveLength(2);
    for (const r of limited) expect(r).toMatchObject({ ok: false, retryable: true, code: 'throttled', retryAfterSeconds: 30 });
    const down = await transport().send(outgoing(input(11)));
    expect(down).toMatchObject({ ok: false, retryable: true, code: 'http_503' });
    expect((await transport().send(outgoing(input(12)))).ok).toBe(true);
  });

  it('maps per-message errors by the ErrorCode table: unconfirmed sender (400) and unknown stream are permanent', async () => {
    const other = { ...input(13), from: { email: 'news@elsewhere.example' } };
    const [sender] = await transport().sendBatch!([outgoing(other)]);
    expect(sender).toMatchObject({ ok: false, retryable: false, code: 'sender_signature' });
    const [stream] = await transport({ messageStream: 'no-such-stream' }).sendBatch!([outgoing(input(14))]);
    expect(stream).toMatchObject({ ok: false, retryable: false, code: 'postmark_1235' });
  });

  it('classifies the documented request-level codes: 405 out of credits is retried later, 422 with ErrorCode 300 is permanent', () => {
    const answer = (status: number, body: unknown) => ({ status, headers: new Headers(), body });
    expect(classifyPostmark(answer(422, { ErrorCode: 405, Message: 'Not allowed to send' }), 1, new Date())[0]).toMatchObject({
      retryable: true,
      code: 'not_allowed_to_send',
      retryAfterSeconds: 3600,
    });
    expect(classifyPostmark(answer(422, { ErrorCode: 300, Message: 'Invalid email request' }), 2, new Date())).toHaveLength(2);
    expect(classifyPostmark(answer(422, { ErrorCode: 300, Message: 'Invalid email request' }), 1, new Date())[0]).toMatchObject({
      retryable: false,
      code: 'invalid_email',
    });
    expect(classifyPostmark(answer(200, [{ ErrorCode: 0, MessageID: 'a' }]), 2, new Date())[0]).toMatchObject({ code: 'bad_response' });
  });
});

describe('Postmark under the processor (local D1)', () => {
  const settings = {
    SITE_URL: SITE,
    SITE_NAME: 'Plain Words',
    MAIL_FROM: 'Plain Words <news@blog.example.com>',
    POSTAL_ADDRESS: '1 Example Street, Example City',
    MAIL_TRANSPORT: 'postmark',
    POSTMARK_SERVER_TOKEN: '',
    POSTMARK_ENDPOINT: '',
    RATE_PER_MINUTE: '0',
    DAILY_CAP: '0',
  };

  it("sends 120 readers' emails in one request (one subrequest), records a 406 as recipient_suppressed in history", async () => {
    for (let i = 0; i < 120; i++) await addReader(t.db, `r${String(i).padStart(3, '0')}@example.org`);
    postmark.inactive.add('r007@example.org');
    await addContent(t.db, { title: 'Batch day', publishDate: '2026-11-25T09:00:00Z' });
    const deps = buildDeliveryDeps({ DB: t.d1 }, { settings: { ...settings, POSTMARK_SERVER_TOKEN: postmark.serverToken, POSTMARK_ENDPOINT: postmark.url } });
    const summary = await processNotifications({ ...deps, clock: () => new Date('2026-11-25T10:00:00Z') }, { batchSize: 150 });
    expect(summary).toMatchObject({ sent: 119, failed: 1, retried: 0, remaining: 0 });
    expect(postmark.batchRequests).toBe(1);
    expect(postmark.accepted).toHaveLength(119);
    expect(new Set(postmark.accepted.map((m) => m.MessageStream))).toEqual(new Set(['broadcast']));
    const failed = await rows<{ action: string; error_code: string }>(
      t.d1,
      `SELECT h.action, h.error_code FROM email_notification_history h JOIN users u ON u.id = h.user_id WHERE u.email = 'r007@example.org' AND h.action = 'failed'`,
    );
    expect(failed).toEqual([{ action: 'failed', error_code: 'recipient_suppressed' }]);
    const sentIds = await rows<{ email_message_id: string }>(t.d1, `SELECT email_message_id FROM email_notifications WHERE status = 'sent'`);
    expect(new Set(sentIds.map((r) => r.email_message_id))).toEqual(new Set(postmark.accepted.map((m) => m.MessageID)));
  });

  it('sends verification mail on the transactional stream (outbound), apart from bulk mail on broadcast', async () => {
    const reader = await addReader(t.db, 'new@example.org', { verified: false });
    const id = await queueVerificationEmail(t.db, { userId: reader.id, email: 'new@example.org', verifyUrl: `${SITE}/verify?token=abc` });
    const deps = buildDeliveryDeps({ DB: t.d1 }, { settings: { ...settings, POSTMARK_SERVER_TOKEN: postmark.serverToken, POSTMARK_ENDPOINT: postmark.url } });
    expect(deps.transactionalTransport?.name).toBe('postmark');
    const summary = await processNotifications(deps, { onlyNotificationIds: [id] });
    expect(summary.sent).toBe(1);
    expect(postmark.accepted.map((m) => [m.To, m.MessageStream])).toEqual([['new@example.org', 'outbound']]);
  });

  it("Postmark-managed unsubscribes: the broadcast carries Postmark's List-Unsubscribe, not ours; a reader who leaves there is unsubscribed here by the SubscriptionChange webhook", async () => {
    const reader = await addReader(t.db, 'leaver@example.org');
    await addContent(t.db, { title: 'First', publishDate: '2026-11-25T09:00:00Z' });
    const deps = buildDeliveryDeps({ DB: t.d1 }, { settings: { ...settings, POSTMARK_SERVER_TOKEN: postmark.serverToken, POSTMARK_ENDPOINT: postmark.url } });
    expect(await processNotifications({ ...deps, clock: () => new Date('2026-11-25T10:00:00Z') })).toMatchObject({ sent: 1 });
    const [message] = postmark.accepted;
    const header = (name: string, list: { Name: string; Value: string }[]) => list.filter((h) => h.Name.toLowerCase() === name).map((h) => h.Value);
    expect(header('list-unsubscribe', message!.Headers ?? [])).toEqual([expect.stringContaining('/api/unsubscribe/one-click?token=')]); // what we sent
    expect(header('list-unsubscribe', message!.delivered.headers)).toEqual([`<${postmark.url}/unsubscribe/${message!.MessageID}>`]); // what the reader gets

    const webhook = postmark.unsubscribe(message!.MessageID);
    const auth = `Basic ${btoa('pm-user:pm-password')}`;
    const answer = await handlePostmarkWebhook(
      new Request(`${SITE}/api/webhooks/postmark`, { method: 'POST', headers: { authorization: auth, 'content-type': 'application/json' }, body: webhook }),
      { db: deps.db, user: 'pm-user', password: 'pm-password', now: () => new Date('2026-11-25T10:05:00Z') },
    );
    expect(await answer.json()).toEqual({ ok: true, events: 1, applied: 1 });
    expect(await rows(t.d1, 'SELECT email_status, unsubscribe_all FROM users WHERE id = ?', reader.id)).toEqual([
      { email_status: 'unsubscribed', unsubscribe_all: 1 },
    ]);

    // The next post is not queued for them (Postmark would refuse them anyway: 406).
    await addContent(t.db, { title: 'Second', publishDate: '2026-11-26T09:00:00Z' });
    expect(await processNotifications({ ...deps, clock: () => new Date('2026-11-26T10:00:00Z') })).toMatchObject({ fannedOut: 0, sent: 0 });
    expect(postmark.accepted).toHaveLength(1);
  });
});
