/**
 * "Delivered" per post: each provider's delivery webhook (SES through SNS, signed by the stand-in;
 * Postmark with basic auth; Resend with Svix), in its documented format, becomes a `delivered`
 * history row on the email it confirms (matched by the provider's message id), and the post's
 * results count the reader once. A redelivered event adds nothing; a confirmation for an email
 * we cannot name is counted per day only (email_statistics), never on a post.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { postResults } from '../db/admin/post-results';
import { handlePostmarkWebhook } from '../integration/delivery/providers/postmark/webhook';
import { handleResendWebhook } from '../integration/delivery/providers/resend/webhook';
import { handleSesWebhook } from '../integration/delivery/providers/ses/webhook';
import { createTestD1, type TestD1 } from './helpers/d1';
import { addContent, addReader, clearTables, rows } from './helpers/delivery';
import { startSnsStandin, TOPIC_ARN, type SnsStandin } from './helpers/sns-standin';

let t: TestD1;
let sns: SnsStandin;
const NOW = new Date('2026-11-30T12:00:00Z');
const SITE = 'https://blog.example.com';
beforeAll(async () => {
  [t, sns] = await Promise.all([createTestD1(), startSnsStandin({ now: () => NOW })]);
});
afterAll(async () => Promise.all([t?.dispose(), sns?.close()]));
beforeEach(async () => {
  await clearTables(t.d1);
  await t.d1.batch(['suppressions', 'provider_events'].map((x) => t.d1.prepare(`DELETE FROM ${x}`)));
});

/** A post sent to `email` by a provider that answered with `providerId` (as the processor stores it). */
async function sentPost(email: string, providerId: string) {
  const reader = await addReader(t.db, email);
  const post = await addContent(t.db, { title: 'Delivered post', publishDate: '2026-11-30T09:00:00Z' });
  const id = `n-${providerId}`;
  await t.d1
    .prepare(
      `INSERT INTO email_notifications (id, user_id, content_type, content_id, content_title, content_url, notification_type, status, sent_at, email_message_id, created_at)
       VALUES (?1, ?2, 'blog', ?3, 'Delivered post', 'https://x', 'new_content', 'sent', ?4, ?5, ?4)`,
    )
    .bind(id, reader.id, post.slug, Math.floor(NOW.getTime() / 1000) - 60, providerId)
    .run();
  return { post, notificationId: id };
}

const deliveredRows = () =>
  rows<{ notification_id: string | null; action: string }>(t.d1, "SELECT notification_id, action FROM email_notification_history WHERE action = 'delivered'");
const totalDelivered = async () => (await rows<{ n: number }>(t.d1, 'SELECT coalesce(sum(total_delivered), 0) AS n FROM email_statistics'))[0]!.n;

// SES event publishing, eventType Delivery (docs.aws.amazon.com/ses/latest/dg/event-publishing-retrieving-sns-examples.html).
const sesDelivery = (email: string, messageId: string) => ({
  eventType: 'Delivery',
  mail: { timestamp: '2026-11-30T11:59:00Z', source: 'news@example.com', messageId, destination: [email] },
  delivery: {
    timestamp: '2026-11-30T11:59:01Z',
    processingTimeMillis: 546,
    recipients: [email],
    smtpResponse: '250 ok',
    reportingMTA: 'a8-70.smtp-out.amazonses.com',
  },
});
let snsSeq = 0;
const postSes = async (event: object) => {
  const message = await sns.sign({
    Type: 'Notification',
    MessageId: `delivered-${++snsSeq}`,
    TopicArn: TOPIC_ARN,
    Subject: 'Amazon SES Email Event Notification',
    Message: JSON.stringify(event),
    Timestamp: '2026-11-30T11:59:45.000Z',
  });
  return handleSesWebhook(
    new Request(`${SITE}/api/webhooks/ses`, {
      method: 'POST',
      headers: { 'content-type': 'text/plain; charset=UTF-8', 'x-amz-sns-message-type': 'Notification' },
      body: JSON.stringify(message),
    }),
    { db: t.db, topicArns: [TOPIC_ARN], now: () => NOW, sns: { allowUrl: (url: URL) => url.origin === sns.url } },
  );
};

const POSTMARK = { user: 'postmark-hook', password: 'pm-Secret-123' };
// Postmark's Delivery webhook (postmarkapp.com/developer/webhooks/delivery-webhook).
const postPostmark = (messageId: string, email: string) =>
  handlePostmarkWebhook(
    new Request(`${SITE}/api/webhooks/postmark`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Basic ${btoa(`${POSTMARK.user}:${POSTMARK.password}`)}` },
      body: JSON.stringify({
        RecordType: 'Delivery',
        ServerID: 23,
        MessageStream: 'broadcast',
        MessageID: messageId,
        Recipient: email,
        Tag: '',
        DeliveredAt: '2026-11-30T11:58:52Z',
        Details: 'smtp;250 2.0.0 OK',
        Metadata: {},
      }),
    }),
    { db: t.db, ...POSTMARK, now: () => NOW },
  );

const RESEND_KEY = crypto.getRandomValues(new Uint8Array(24));
const RESEND_SECRET = `whsec_${btoa(String.fromCharCode(...RESEND_KEY))}`;
// Svix: HMAC-SHA256 of `id.timestamp.body` (docs.svix.com/receiving/verifying-payloads/how-manual).
async function postResend(svixId: string, emailId: string, email: string) {
  const body = JSON.stringify({
    type: 'email.delivered',
    created_at: '2026-11-30T11:59:12.126Z',
    data: { created_at: '2026-11-30T11:58:00Z', email_id: emailId, from: 'news@example.com', to: [email], subject: 'New post' },
  });
  const timestamp = String(Math.floor(NOW.getTime() / 1000));
  const key = await crypto.subtle.importKey('raw', RESEND_KEY, { name: 'HMAC', hash: 'SHA-256' }, false, ['sign']);
  const sig = new Uint8Array(await crypto.subtle.sign('HMAC', key, new TextEncoder().encode(`${svixId}.${timestamp}.${body}`)));
  const headers = {
    'content-type': 'application/json',
    'svix-id': svixId,
    'svix-timestamp': timestamp,
    'svix-signature': `v1,${btoa(String.fromCharCode(...sig))}`,
  };
  return handleResendWebhook(new Request(`${SITE}/api/webhooks/resend`, { method: 'POST', headers, body }), {
    db: t.db,
    secret: RESEND_SECRET,
    now: () => NOW,
  });
}

const PROVIDERS: [name: string, deliver: (providerId: string, email: string) => Promise<Response>][] = [
  ['SES (Delivery through SNS)', (id, email) => postSes(sesDelivery(email, id))],
  ['Postmark (Delivery)', (id, email) => postPostmark(id, email)],
  ['Resend (email.delivered)', (id, email) => postResend(`msg_${id}`, id, email)],
];

describe('delivered per post', () => {
  for (const [name, deliver] of PROVIDERS) {
    it(`${name}: the confirmation lands on its email and the post counts the reader once`, async () => {
      const { post, notificationId } = await sentPost('dee@example.org', '0102017f-aaaa-4bbb-8ccc-000000000001');
      expect((await postResults(t.db, post.slug)).counts.delivered).toBe(0);

      const response = await deliver('0102017f-aaaa-4bbb-8ccc-000000000001', 'Dee@Example.org');
      expect(response.status).toBe(200);
      expect(await deliveredRows()).toEqual([{ notification_id: notificationId, action: 'delivered' }]);
      const results = await postResults(t.db, post.slug, 'delivered');
      expect(results.counts).toMatchObject({ sent: 1, delivered: 1 });
      expect(results.readers.map((r) => r.email)).toEqual(['dee@example.org']);

      // The provider redelivers the same event: nothing more.
      expect((await deliver('0102017f-aaaa-4bbb-8ccc-000000000001', 'dee@example.org')).status).toBe(200);
      expect(await deliveredRows()).toHaveLength(1);
      expect(await totalDelivered()).toBe(1);
    });
  }

  it('a confirmation for an email we cannot name is counted for the day, not written to any post', async () => {
    const { post } = await sentPost('eli@example.org', 'ours-1');
    expect((await postPostmark('someone-elses-message', 'eli@example.org')).status).toBe(200);
    expect(await deliveredRows()).toEqual([]);
    expect(await totalDelivered()).toBe(1);
    expect((await postResults(t.db, post.slug)).counts.delivered).toBe(0);
  });
});
