// The provider webhooks on real local D1, with payloads in the providers' documented formats:
// SES through SNS (signed by a stand-in's self-signed certificate on 127.0.0.1), Postmark (basic
// auth) and Resend (Svix). Forged, misdirected, stale and unauthenticated requests write nothing;
// duplicates change nothing.
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { handlePostmarkWebhook } from '../integration/delivery/providers/postmark/webhook';
import { handleResendWebhook } from '../integration/delivery/providers/resend/webhook';
import { handleSesWebhook } from '../integration/delivery/providers/ses/webhook';
import { clearSnsCertificateCache, isAwsSnsUrl, type SnsMessage } from '../integration/delivery/providers/ses/sns-signature';
import { MAX_WEBHOOK_BODY_BYTES, readBody } from '../integration/delivery/providers/webhook-common';
import { createTestD1, type TestD1 } from './helpers/d1';
import { addReader, clearTables, rows } from './helpers/delivery';
import { startSnsStandin, TOPIC_ARN, type SnsStandin } from './helpers/sns-standin';

let t: TestD1;
let sns: SnsStandin;
beforeAll(async () => {
  [t, sns] = await Promise.all([createTestD1(), startSnsStandin({ now: () => NOW })]);
});
afterAll(async () => Promise.all([t?.dispose(), sns?.close()]));
beforeEach(async () => {
  await clearTables(t.d1);
  await t.d1.batch(['suppressions', 'provider_events', 'delivery_state'].map((x) => t.d1.prepare(`DELETE FROM ${x}`)));
});

const NOW = new Date('2026-11-30T12:00:00Z');
const SITE = 'https://blog.example.com';

/** Everything a feedback event can write, to prove that a refused or duplicate request wrote nothing. */
async function dump() {
  return {
    users: await rows(t.d1, 'SELECT email, email_status, bounce_count, unsubscribe_all, email_hash FROM users ORDER BY email'),
    history: await rows(t.d1, 'SELECT user_id, action, details FROM email_notification_history ORDER BY id'),
    stats: await rows(t.d1, 'SELECT date_key, content_type, total_bounced, total_complained, total_delivered FROM email_statistics'),
    suppressions: await rows(t.d1, 'SELECT address_hash, reason, source FROM suppressions ORDER BY address_hash'),
    events: await rows(t.d1, 'SELECT provider, event_id, kind FROM provider_events ORDER BY event_id'),
  };
}
const reader = (email: string) =>
  rows<{ email_status: string; bounce_count: number; unsubscribe_all: number }>(t.d1, 'SELECT * FROM users WHERE email = ?', email).then((r) => r[0]!);

// ------------------------------------------------------------------ SES via SNS

const sesBounce = (email: string, type: 'Permanent' | 'Transient' = 'Permanent', feedbackId = '0102017f-bounce-000000') => ({
  eventType: 'Bounce',
  bounce: {
    feedbackId,
    bounceType: type,
    bounceSubType: type === 'Permanent' ? 'General' : 'MailboxFull',
    bouncedRecipients: [{ emailAddress: email, action: 'failed', status: '5.1.1', diagnosticCode: 'smtp; 550 5.1.1 user unknown' }],
    timestamp: '2026-11-30T11:59:30.669Z',
    reportingMTA: 'dsn; mta.example.com',
  },
  mail: {
    timestamp: '2026-11-30T11:59:28.000Z',
    source: 'Plain Words <news@example.com>',
    sendingAccountId: '123456789012',
    messageId: '0102017f-mail-000000',
    destination: [email],
    headersTruncated: false,
  },
});
const sesComplaint = (email: string) => ({
  eventType: 'Complaint',
  complaint: {
    feedbackId: '0102017f-complaint-000000',
    complainedRecipients: [{ emailAddress: email }],
    complaintFeedbackType: 'abuse',
    timestamp: '2026-11-30T11:59:40Z',
    userAgent: 'ExampleCorp Feedback Loop (V0.01)',
    arrivalDate: '2026-11-30T11:59:00Z',
  },
  mail: { timestamp: '2026-11-30T11:00:00Z', source: 'news@example.com', messageId: '0102017f-mail-000001', destination: [email] },
});
const sesDelivery = (email: string) => ({
  eventType: 'Delivery',
  mail: { timestamp: '2026-11-30T11:59:00Z', source: 'news@example.com', messageId: '0102017f-mail-000002', destination: [email] },
  delivery: {
    timestamp: '2026-11-30T11:59:01Z',
    processingTimeMillis: 546,
    recipients: [email],
    smtpResponse: '250 ok',
    reportingMTA: 'a8-70.smtp-out.amazonses.com',
  },
});

let snsSeq = 0;
const notification = (event: object, version: '1' | '2' = '1', certUrl?: string) =>
  sns.sign(
    {
      Type: 'Notification',
      MessageId: `22b80b92-fdea-4c2c-8f9d-bdfb0c7bf3${String(++snsSeq).padStart(2, '0')}`,
      TopicArn: TOPIC_ARN,
      Subject: 'Amazon SES Email Event Notification',
      Message: JSON.stringify(event),
      Timestamp: '2026-11-30T11:59:45.000Z',
    },
    version,
    certUrl,
  );

/** The production handler with the one test hook: certificate and SubscribeURL hosts may be the stand-in. */
const standinHook = { allowUrl: (url: URL) => url.origin === sns.url };
const postSns = (message: object | string, opts: { hook?: boolean; headers?: Record<string, string> } = {}) =>
  handleSesWebhook(
    new Request(`${SITE}/api/webhooks/ses`, {
      method: 'POST',
      headers: {
        'content-type': 'text/plain; charset=UTF-8',
        'x-amz-sns-message-type': typeof message === 'string' ? 'Notification' : (message as SnsMessage).Type,
        ...opts.headers,
      },
      body: typeof message === 'string' ? message : JSON.stringify(message),
    }),
    { db: t.db, topicArns: [TOPIC_ARN], now: () => NOW, sns: opts.hook === false ? {} : standinHook },
  );

describe('SES through SNS', () => {
  it('a signed Permanent bounce (SignatureVersion 1, SHA1withRSA) makes the reader bounced and suppressed; the same message again changes nothing', async () => {
    await addReader(t.db, 'ann@example.org');
    const message = await notification(sesBounce('Ann@Example.org'));
    const response = await postSns(message);
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ ok: true, events: 1, applied: 1 });
    expect(await reader('ann@example.org')).toMatchObject({ email_status: 'bounced', bounce_count: 1 });
    const after = await dump();
    expect(after.suppressions).toEqual([{ address_hash: expect.stringMatching(/^[0-9a-f]{64}$/), reason: 'hard_bounce', source: 'ses' }]);
    expect(after.history.map((h) => h.action)).toEqual(['bounced']);
    expect(after.stats).toEqual([{ date_key: '2026-11-30', content_type: 'all', total_bounced: 1, total_complained: 0, total_delivered: 0 }]);

    const again = await postSns(message);
    expect(await again.json()).toEqual({ ok: true, events: 1, applied: 0 });
    expect(await dump()).toEqual(after);
  });

  it('SignatureVersion 2 (SHA256withRSA): a Complaint unsubscribes from everything, suppresses and writes a complained row; a Delivery counts total_delivered', async () => {
    await addReader(t.db, 'bo@example.org', { blog: true, thought: true });
    expect((await postSns(await notification(sesComplaint('bo@example.org'), '2'))).status).toBe(200);
    expect(await reader('bo@example.org')).toMatchObject({ email_status: 'unsubscribed', unsubscribe_all: 1, email_blog_updates: 0 });
    const d = await dump();
    expect(d.history.map((h) => h.action)).toEqual(['complained']);
    expect(d.suppressions.map((s) => s.reason)).toEqual(['complaint']);
    expect((await postSns(await notification(sesDelivery('bo@example.org'), '2'))).status).toBe(200);
    expect((await dump()).stats).toEqual([{ date_key: '2026-11-30', content_type: 'all', total_bounced: 0, total_complained: 1, total_delivered: 1 }]);
  });

  it('a Transient bounce is soft: the third one makes the reader bounced, and none suppresses', async () => {
    await addReader(t.db, 'cy@example.org');
    for (const [i, status] of [
      [1, 'active'],
      [2, 'active'],
      [3, 'bounced'],
    ] as const) {
      expect((await postSns(await notification(sesBounce('cy@example.org', 'Transient', `soft-${i}`)))).status).toBe(200);
      expect(await reader('cy@example.org')).toMatchObject({ email_status: status, bounce_count: i });
    }
    expect((await dump()).suppressions).toEqual([]);
  });

  it('refuses a forged signature (403) and a tampered message, writing nothing', async () => {
    await addReader(t.db, 'di@example.org');
    const before = await dump();
    const signed = await notification(sesBounce('di@example.org'));
    const forged = { ...signed, Signature: btoa('x'.repeat(256)) };
    expect((await postSns(forged)).status).toBe(403);
    const tampered = { ...signed, Message: JSON.stringify(sesBounce('someone-else@example.org')) };
    expect((await postSns(tampered)).status).toBe(403);
    expect(await dump()).toEqual(before);
  });

  it('refuses certificate URLs off sns.<region>.amazonaws.com without fetching them (403)', async () => {
    const bad = [
      'http://sns.us-east-1.amazonaws.com/SimpleNotificationService-x.pem',
      'https://sns.evil.com/SimpleNotificationService-x.pem',
      'https://sns.us-east-1.amazonaws.com.evil.com/SimpleNotificationService-x.pem',
      'https://sns.us-east-1.amazonaws.com@evil.com/SimpleNotificationService-x.pem',
      'https://evil.com@sns.us-east-1.amazonaws.com/SimpleNotificationService-x.pem',
      'https://sns.us-east-1.amazonaws.com:8443/SimpleNotificationService-x.pem',
      'https://evil.com/sns.us-east-1.amazonaws.com/x.pem',
      `${sns.url}/SimpleNotificationService-0000000000000000000000.pem`,
    ];
    const fetches: string[] = [];
    const spy = (async (input: RequestInfo | URL) => {
      fetches.push(String(input));
      return new Response('nope', { status: 500 });
    }) as typeof fetch;
    for (const certUrl of bad) {
      const message = await notification(sesBounce('eve@example.org'), '1', certUrl);
      const response = await handleSesWebhook(
        new Request(`${SITE}/api/webhooks/ses`, { method: 'POST', body: JSON.stringify(message) }),
        { db: t.db, topicArns: [TOPIC_ARN], now: () => NOW, sns: { fetch: spy } }, // the production host rule
      );
      expect(response.status, certUrl).toBe(403);
    }
    expect(fetches).toEqual([]);
    expect(isAwsSnsUrl(new URL('https://sns.eu-west-1.amazonaws.com/SimpleNotificationService-1.pem'))).toBe(true);
    expect((await dump()).events).toEqual([]);
  });

  it("checks topic and Timestamp before fetching anything, and never echoes the runtime's internal error text", async () => {
    clearSnsCertificateCache();
    const fetches: string[] = [];
    const spy = (async (input: RequestInfo | URL) => {
      fetches.push(String(input));
      throw new Error('internal error; reference = 9q8w7e6r5t4y3u2i1o0p');
    }) as typeof fetch;
    const post = (message: object) =>
      handleSesWebhook(new Request(`${SITE}/api/webhooks/ses`, { method: 'POST', body: JSON.stringify(message) }), {
        db: t.db,
        topicArns: [TOPIC_ARN],
        now: () => NOW,
        sns: { fetch: spy, allowUrl: standinHook.allowUrl },
      });
    const certUrl = `${sns.url}/SimpleNotificationService-probe.pem`;
    const otherTopic = await sns.sign(
      { Type: 'Notification', MessageId: 'm-p1', TopicArn: 'arn:aws:sns:eu-west-1:999999999999:other', Message: '{}', Timestamp: '2026-11-30T11:59:00Z' },
      '1',
      certUrl,
    );
    expect((await post(otherTopic)).status).toBe(403);
    const stale = await sns.sign(
      { Type: 'Notification', MessageId: 'm-p2', TopicArn: TOPIC_ARN, Message: '{}', Timestamp: '2020-01-01T00:00:00Z' },
      '1',
      certUrl,
    );
    expect((await post(stale)).status).toBe(400);
    expect(fetches).toEqual([]); // nothing unauthenticated made the Worker fetch a URL
    const fresh = await sns.sign(
      { Type: 'Notification', MessageId: 'm-p3', TopicArn: TOPIC_ARN, Message: '{}', Timestamp: '2026-11-30T11:59:00Z' },
      '1',
      certUrl,
    );
    const refused = await post(fresh);
    expect(refused.status).toBe(403);
    expect(fetches).toEqual([certUrl]);
    const text = await refused.text();
    expect(text).not.toMatch(/internal error|reference =|9q8w7e6r/);
    expect(JSON.parse(text)).toMatchObject({ error: 'bad_signature' });
  });

  it('caches the certificate: many messages, one fetch', async () => {
    clearSnsCertificateCache();
    const before = sns.certFetches;
    for (let i = 0; i < 3; i++) expect((await postSns(await notification(sesDelivery(`r${i}@example.org`)))).status).toBe(200);
    expect(sns.certFetches - before).toBe(1);
  });

  it('refuses an unknown topic (403), a stale Timestamp (400), a mismatched type header and non-SNS bodies (400); 503 when unconfigured', async () => {
    const other = await sns.sign({
      Type: 'Notification',
      MessageId: 'm-1',
      TopicArn: 'arn:aws:sns:eu-west-1:999999999999:other',
      Message: JSON.stringify(sesBounce('x@example.org')),
      Timestamp: '2026-11-30T11:59:00Z',
    });
    expect((await postSns(other)).status).toBe(403);
    const stale = await sns.sign({
      Type: 'Notification',
      MessageId: 'm-2',
      TopicArn: TOPIC_ARN,
      Message: JSON.stringify(sesBounce('x@example.org')),
      Timestamp: '2026-11-29T11:59:00Z',
    });
    expect((await postSns(stale)).status).toBe(400);
    expect(
      (await postSns(await notification(sesDelivery('x@example.org')), { headers: { 'x-amz-sns-message-type': 'SubscriptionConfirmation' } })).status,
    ).toBe(400);
    expect((await postSns('not json')).status).toBe(400);
    expect((await postSns('{"Type":"Notification"}')).status).toBe(400);
    const off = await handleSesWebhook(new Request(`${SITE}/api/webhooks/ses`, { method: 'POST', body: '{}' }), { db: t.db, topicArns: [] });
    expect(off.status).toBe(503);
    expect((await dump()).events).toEqual([]);
  });

  it('confirms a SubscriptionConfirmation by fetching its SubscribeURL (host-checked)', async () => {
    const token = '2336412f37fb687f5d51e6e241da92fd72d7685f7f0f8e';
    const confirmation = await sns.sign({
      Type: 'SubscriptionConfirmation',
      MessageId: '165545c9-2a5c-472c-8df2-7ff2be2b3b1b',
      Token: token,
      TopicArn: TOPIC_ARN,
      Message: `You have chosen to subscribe to the topic ${TOPIC_ARN}.\nTo confirm the subscription, visit the SubscribeURL included in this message.`,
      SubscribeURL: `${sns.url}/?Action=ConfirmSubscription&TopicArn=${encodeURIComponent(TOPIC_ARN)}&Token=${token}`,
      Timestamp: '2026-11-30T11:59:00.000Z',
    });
    const response = await postSns(confirmation);
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ ok: true, confirmed: true });
    expect(sns.confirmations).toHaveLength(1);
    // A SubscribeURL elsewhere is not followed, even when the message is validly signed.
    const elsewhere = await sns.sign({ ...confirmation, MessageId: 'other', SubscribeURL: 'https://evil.example/?Action=ConfirmSubscription' });
    expect((await postSns(elsewhere)).status).toBe(403);
    expect(sns.confirmations).toHaveLength(1);
  });

  it('skips malformed recipients inside a validly signed message (200, nothing applied, never a 500)', async () => {
    const odd = sesBounce('not-an-address');
    odd.bounce.bouncedRecipients.push({ emailAddress: `${'a'.repeat(400)}@example.org`, action: 'failed', status: '5.1.1', diagnosticCode: '' });
    const response = await postSns(await notification(odd));
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ ok: true, events: 2, applied: 0 });
    expect((await dump()).events).toEqual([]);
  });

  it('answers 413 to a body over 256 KiB', async () => {
    const huge = 'x'.repeat(MAX_WEBHOOK_BODY_BYTES + 1);
    expect((await postSns(huge)).status).toBe(413);
  });

  it('answers 400 to an upload cut off midway (the sender went away), never a thrown error', async () => {
    let sent = false;
    const body = new ReadableStream<Uint8Array>({
      pull(controller) {
        if (sent) return controller.error(new Error('Network connection lost.'));
        sent = true;
        controller.enqueue(new TextEncoder().encode('{"Type":"Notif'));
      },
    });
    const request = new Request('https://blog.example/api/webhooks/resend', { method: 'POST', body, duplex: 'half' } as RequestInit);
    const read = await readBody(request);
    expect(read.ok).toBe(false);
    expect(!read.ok && read.response.status).toBe(400);
    expect(!read.ok && (await read.response.json())).toEqual({ error: 'invalid_body', reason: 'The body could not be read to its end.' });
  });
});

// ------------------------------------------------------------------ Postmark

const POSTMARK = { user: 'postmark-hook', password: 'pm-Secret-123' };
const basic = (user: string, password: string) => `Basic ${btoa(`${user}:${password}`)}`;
const postPostmark = (record: object, auth: string | null = basic(POSTMARK.user, POSTMARK.password)) =>
  handlePostmarkWebhook(
    new Request(`${SITE}/api/webhooks/postmark`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...(auth && { authorization: auth }) },
      body: JSON.stringify(record),
    }),
    { db: t.db, ...POSTMARK, now: () => NOW },
  );
const postmarkBounce = (email: string, type = 'HardBounce', typeCode = 1, id = 4323372036854775) => ({
  RecordType: 'Bounce',
  MessageStream: 'broadcast',
  ID: id,
  Type: type,
  TypeCode: typeCode,
  Name: 'Hard bounce',
  Tag: 'Test',
  MessageID: '883953f4-6105-42a2-a16a-77a8eac79483',
  Metadata: {},
  ServerID: 23,
  Description: 'The server was unable to deliver your message (ex: unknown user, mailbox not found).',
  Details: 'Test bounce details',
  Email: email,
  From: 'news@example.com',
  BouncedAt: '2026-11-30T11:59:54.9070259Z',
  DumpAvailable: true,
  Inactive: true,
  CanActivate: true,
  Subject: 'New post',
});

describe('Postmark', () => {
  it('a HardBounce (TypeCode 1) with the right basic auth bounces and suppresses; a duplicate changes nothing', async () => {
    await addReader(t.db, 'fay@example.org');
    const response = await postPostmark(postmarkBounce('fay@example.org'));
    expect(response.status).toBe(200);
    expect(await reader('fay@example.org')).toMatchObject({ email_status: 'bounced' });
    const after = await dump();
    expect(after.suppressions.map((s) => [s.reason, s.source])).toEqual([['hard_bounce', 'postmark']]);
    expect(await (await postPostmark(postmarkBounce('fay@example.org'))).json()).toEqual({ ok: true, events: 1, applied: 0 });
    expect(await dump()).toEqual(after);
  });

  it('maps bounce types: SoftBounce and Transient are soft, SpamComplaint records are complaints, auto-responders change nothing', async () => {
    await addReader(t.db, 'gus@example.org');
    await postPostmark(postmarkBounce('gus@example.org', 'SoftBounce', 4096, 1));
    await postPostmark(postmarkBounce('gus@example.org', 'Transient', 2, 2));
    await postPostmark(postmarkBounce('gus@example.org', 'AutoResponder', 64, 3));
    expect(await reader('gus@example.org')).toMatchObject({ email_status: 'active', bounce_count: 2 });
    await postPostmark({
      RecordType: 'SpamComplaint',
      MessageStream: 'broadcast',
      ID: 42,
      Type: 'SpamComplaint',
      TypeCode: 100001,
      Name: 'Spam complaint',
      MessageID: '00000000-0000-0000-0000-000000000000',
      ServerID: 1234,
      Email: 'gus@example.org',
      From: 'news@example.com',
      BouncedAt: '2026-11-30T11:59:00Z',
    });
    expect(await reader('gus@example.org')).toMatchObject({ email_status: 'unsubscribed', unsubscribe_all: 1 });
    await postPostmark({
      RecordType: 'Delivery',
      ServerID: 23,
      MessageStream: 'broadcast',
      MessageID: '00000000-0000-0000-0000-000000000001',
      Recipient: 'gus@example.org',
      Tag: 'welcome',
      DeliveredAt: '2026-11-30T11:58:52Z',
      Details: 'Test delivery webhook details',
      Metadata: {},
    });
    expect((await dump()).stats).toEqual([{ date_key: '2026-11-30', content_type: 'all', total_bounced: 2, total_complained: 1, total_delivered: 1 }]);
  });

  it('refuses a missing or wrong basic auth (401, nothing written) and answers 503 when unconfigured', async () => {
    await addReader(t.db, 'hal@example.org');
    const before = await dump();
    for (const auth of [
      null,
      basic(POSTMARK.user, 'wrong'),
      basic('wrong', POSTMARK.password),
      basic(POSTMARK.user, `${POSTMARK.password}x`),
      'Basic !!!',
      `Bearer ${POSTMARK.password}`,
    ]) {
      const response = await postPostmark(postmarkBounce('hal@example.org'), auth);
      expect(response.status).toBe(401);
    }
    expect(await dump()).toEqual(before);
    const off = await handlePostmarkWebhook(new Request(`${SITE}/x`, { method: 'POST', body: '{}' }), { db: t.db });
    expect(off.status).toBe(503);
  });
});

// ------------------------------------------------------------------ Resend (Svix)

const RESEND_KEY = crypto.getRandomValues(new Uint8Array(24));
const RESEND_SECRET = `whsec_${btoa(String.fromCharCode(...RESEND_KEY))}`;
async function svixHeaders(id: string, body: string, at: Date, key = RESEND_KEY) {
  const timestamp = String(Math.floor(at.getTime() / 1000));
  const hmac = await crypto.subtle.importKey('raw', key, { name: 'HMAC', hash: 'SHA-256' }, false, ['sign']);
  const sig = new Uint8Array(await crypto.subtle.sign('HMAC', hmac, new TextEncoder().encode(`${id}.${timestamp}.${body}`)));
  return { 'svix-id': id, 'svix-timestamp': timestamp, 'svix-signature': `v1,${btoa('old-rotated-signature')} v1,${btoa(String.fromCharCode(...sig))}` };
}
const resendEvent = (type: string, to: string, extra: object = {}) =>
  JSON.stringify({
    type,
    created_at: '2026-11-30T11:59:12.126Z',
    data: {
      created_at: '2026-11-30T11:58:00Z',
      email_id: '56761188-7520-42d8-8898-ff6fc54ce618',
      from: 'Plain Words <news@example.com>',
      to: [to],
      subject: 'New post',
      ...extra,
    },
  });
const postResend = (body: string, headers: Record<string, string>) =>
  handleResendWebhook(new Request(`${SITE}/api/webhooks/resend`, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body }), {
    db: t.db,
    secret: RESEND_SECRET,
    now: () => NOW,
  });

describe('Resend (Svix signatures)', () => {
  it('email.bounced (Permanent) bounces and suppresses; email.complained and email.delivered count; a redelivery changes nothing', async () => {
    await addReader(t.db, 'ivy@example.org');
    const body = resendEvent('email.bounced', 'ivy@example.org', {
      bounce: { message: 'The recipient does not exist.', subType: 'General', type: 'Permanent' },
    });
    expect((await postResend(body, await svixHeaders('msg_2KWPBgLlAfxdpx2AI54pPJ85f4W', body, NOW))).status).toBe(200);
    expect(await reader('ivy@example.org')).toMatchObject({ email_status: 'bounced' });
    const after = await dump();
    expect(after.suppressions.map((s) => [s.reason, s.source])).toEqual([['hard_bounce', 'resend']]);
    expect((await postResend(body, await svixHeaders('msg_2KWPBgLlAfxdpx2AI54pPJ85f4W', body, NOW))).status).toBe(200);
    expect(await dump()).toEqual(after);

    const complained = resendEvent('email.complained', 'jo@example.org');
    expect((await postResend(complained, await svixHeaders('msg_c1', complained, NOW))).status).toBe(200);
    const delivered = resendEvent('email.delivered', 'jo@example.org');
    expect((await postResend(delivered, await svixHeaders('msg_d1', delivered, NOW))).status).toBe(200);
    expect((await dump()).stats).toEqual([{ date_key: '2026-11-30', content_type: 'all', total_bounced: 1, total_complained: 1, total_delivered: 1 }]);
  });

  it('refuses a forged signature, another key, a stale or future timestamp (401) and missing headers (400), writing nothing', async () => {
    await addReader(t.db, 'kai@example.org');
    const before = await dump();
    const body = resendEvent('email.bounced', 'kai@example.org');
    const good = await svixHeaders('msg_k', body, NOW);
    const cases: [Record<string, string>, number][] = [
      [{ ...good, 'svix-signature': `v1,${btoa('forged')}` }, 401],
      [await svixHeaders('msg_k', body, NOW, crypto.getRandomValues(new Uint8Array(24))), 401],
      [await svixHeaders('msg_k', body, new Date(NOW.getTime() - 6 * 60_000)), 401],
      [await svixHeaders('msg_k', body, new Date(NOW.getTime() + 6 * 60_000)), 401],
      [{ ...good, 'svix-id': 'msg_other' }, 401],
      [{ 'svix-id': 'msg_k', 'svix-timestamp': good['svix-timestamp'] }, 400],
    ];
    for (const [headers, status] of cases) expect((await postResend(body, headers)).status).toBe(status);
    expect((await postResend(`${body} `, good)).status).toBe(401); // the body is signed byte for byte
    expect(await dump()).toEqual(before);
  });
});
