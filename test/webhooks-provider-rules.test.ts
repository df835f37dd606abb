// What each provider's events mean, as the providers document them, on real local D1: Postmark's
// SpamNotification (512) is no complaint, its SubscriptionChange mirrors unsubscribes, its ids
// pass 2^53; Resend's email.suppressed and Undetermined bounces; SES's not-spam complaints; SNS
// certificates in the China regions.
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { complaintRate } from '../db/delivery/pause';
import { applyFeedbackEvents } from '../db/feedback/events';
import { buildDeliveryDeps } from '../integration/delivery/deps';
import { processNotifications } from '../integration/delivery/processor';
import { enqueueNotificationsForContent } from '../db/delivery/notifications';
import { handlePostmarkWebhook } from '../integration/delivery/providers/postmark/webhook';
import { handleResendWebhook, resendFeedbackEvents } from '../integration/delivery/providers/resend/webhook';
import { handleSesWebhook, sesFeedbackEvents } from '../integration/delivery/providers/ses/webhook';
import { isAwsSnsUrl } from '../integration/delivery/providers/ses/sns-signature';
import { createTestD1, type TestD1 } from './helpers/d1';
import { addContent, addReader, clearTables, rows } from './helpers/delivery';
import { startSesStandin } from './helpers/ses-standin';
import { startSnsStandin, TOPIC_ARN, type SnsStandin } from './helpers/sns-standin';

let t: TestD1;
let sns: SnsStandin;
beforeAll(async () => {
  [t, sns] = await Promise.all([createTestD1(), startSnsStandin()]);
});
afterAll(async () => Promise.all([t?.dispose(), sns?.close()]));
beforeEach(async () => {
  await clearTables(t.d1);
  await t.d1.batch(['suppressions', 'provider_events', 'delivery_state'].map((x) => t.d1.prepare(`DELETE FROM ${x}`)));
});

const NOW = new Date('2026-11-30T12:00:00Z');
const SITE = 'https://blog.example.com';

async function dump() {
  return {
    users: await rows(t.d1, 'SELECT email, email_status, bounce_count, unsubscribe_all FROM users ORDER BY email'),
    history: await rows(t.d1, "SELECT action, details FROM email_notification_history WHERE action <> 'queued' ORDER BY timestamp, id"),
    suppressions: await rows(t.d1, 'SELECT reason, source FROM suppressions ORDER BY reason'),
    events: await rows(t.d1, 'SELECT provider, event_id, kind FROM provider_events ORDER BY event_id'),
    stats: await rows(t.d1, 'SELECT total_bounced, total_complained, total_unsubscribed FROM email_statistics'),
  };
}
const reader = (email: string) =>
  rows<{ email_status: string; bounce_count: number; unsubscribe_all: number }>(t.d1, 'SELECT * FROM users WHERE email = ?', email).then((r) => r[0]!);

// ------------------------------------------------------------------ Postmark

const POSTMARK = { user: 'postmark-hook', password: 'pm-Secret-123' };
/** The body as Postmark sends it: raw JSON text, so ids past 2^53 reach the handler digit for digit. */
const postPostmark = (body: string) =>
  handlePostmarkWebhook(
    new Request(`${SITE}/api/webhooks/postmark`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Basic ${btoa(`${POSTMARK.user}:${POSTMARK.password}`)}` },
      body,
    }),
    { db: t.db, ...POSTMARK, now: () => NOW },
  );
// Field for field the documented Bounce webhook; ID is spliced in as raw digits.
const bounceJson = (email: string, id: string, type: string, typeCode: number) =>
  `{"RecordType":"Bounce","MessageStream":"broadcast","ID":${id},"Type":"${type}","TypeCode":${typeCode},"Name":"${type}","Tag":"Test","MessageID":"883953f4-6105-42a2-a16a-77a8eac79483","Metadata":{},"ServerID":23,"Description":"","Details":"smtp;550 5.7.1 content rejected","Email":"${email}","From":"news@example.com","BouncedAt":"2026-11-30T11:59:54.9070259Z","DumpAvailable":true,"Inactive":false,"CanActivate":true,"Subject":"New post"}`;
const subscriptionChange = (email: string, suppress: boolean, reason: string | null, origin = 'Recipient', changedAt = '2026-11-30T11:58:00.416071Z') =>
  JSON.stringify({
    RecordType: 'SubscriptionChange',
    MessageID: suppress ? '883953f4-6105-42a2-a16a-77a8eac79483' : null,
    ServerID: 123456,
    MessageStream: 'broadcast',
    ChangedAt: changedAt,
    Recipient: email,
    Origin: origin,
    SuppressSending: suppress,
    SuppressionReason: reason,
    Tag: null,
    Metadata: {},
  });

describe('Postmark', () => {
  it('a SpamNotification bounce (TypeCode 512) is the receiving filter, not the reader: no unsubscribe, no suppression, no complaint counted', async () => {
    await addReader(t.db, 'amy@example.org');
    const before = await dump();
    const response = await postPostmark(bounceJson('amy@example.org', '4323372036854775807', 'SpamNotification', 512));
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ ok: true, events: 0, applied: 0 });
    expect(await dump()).toEqual(before);
    expect(await reader('amy@example.org')).toMatchObject({ email_status: 'active', unsubscribe_all: 0 });
    expect((await complaintRate(t.db, null)).complaints).toBe(0);
  });

  it('a SpamComplaint record is a complaint even with the TypeCode 512 of the documented example', async () => {
    await addReader(t.db, 'ben@example.org');
    const body = JSON.stringify({
      RecordType: 'SpamComplaint',
      MessageStream: 'outbound',
      ID: 42,
      Type: 'SpamComplaint',
      TypeCode: 512,
      Name: 'Spam complaint',
      MessageID: '00000000-0000-0000-0000-000000000000',
      ServerID: 1234,
      Email: 'ben@example.org',
      From: 'news@example.com',
      BouncedAt: '2026-11-30T11:59:00Z',
    });
    expect(await (await postPostmark(body)).json()).toEqual({ ok: true, events: 1, applied: 1 });
    expect(await reader('ben@example.org')).toMatchObject({ email_status: 'unsubscribed', unsubscribe_all: 1 });
    expect((await complaintRate(t.db, null)).complaints).toBe(1);
  });

  it('keeps bounce ids as strings: two ids past 2^53 that one JS number would merge are two events', async () => {
    await addReader(t.db, 'cat@example.org');
    // 9007199254740993 and 9007199254740992 are the same double.
    for (const id of ['9007199254740993', '9007199254740992']) {
      expect(await (await postPostmark(bounceJson('cat@example.org', id, 'SoftBounce', 4096))).json()).toEqual({ ok: true, events: 1, applied: 1 });
    }
    expect((await dump()).events.map((e) => e.event_id)).toEqual(['bounce:9007199254740992', 'bounce:9007199254740993']);
    expect(await reader('cat@example.org')).toMatchObject({ bounce_count: 2 });
  });

  it('SubscriptionChange: an unsubscribe at Postmark unsubscribes the reader here (pending mail cancelled, not suppressed, no complaint); a reactivation changes nothing', async () => {
    const dee = await addReader(t.db, 'dee@example.org', { blog: true, thought: true });
    const item = await addContent(t.db, { publishDate: '2026-11-30T11:00:00Z' });
    await enqueueNotificationsForContent(t.db, item, { now: NOW });
    const response = await postPostmark(subscriptionChange('Dee@Example.org', true, 'ManualSuppression'));
    expect(await response.json()).toEqual({ ok: true, events: 1, applied: 1 });
    expect(await reader('dee@example.org')).toMatchObject({
      email_status: 'unsubscribed',
      unsubscribe_all: 1,
      email_blog_updates: 0,
      email_thought_updates: 0,
    });
    expect(await rows(t.d1, 'SELECT status, error_message FROM email_notifications WHERE user_id = ?', dee.id)).toEqual([
      { status: 'cancelled', error_message: 'the reader unsubscribed at postmark' },
    ]);
    const after = await dump();
    expect(after.history.map((h) => h.action)).toEqual(['unsubscribed']);
    expect(after.suppressions).toEqual([]);
    expect(after.events).toEqual([{ provider: 'postmark', event_id: expect.stringMatching(/^subscription:broadcast:/), kind: 'unsubscribe' }]);
    expect(after.stats).toEqual([{ total_bounced: 0, total_complained: 0, total_unsubscribed: 1 }]);
    expect((await complaintRate(t.db, null)).complaints).toBe(0);

    // The same webhook again, and the author reactivating the address at Postmark: nothing changes.
    await postPostmark(subscriptionChange('dee@example.org', true, 'ManualSuppression'));
    expect(await (await postPostmark(subscriptionChange('dee@example.org', false, null, 'Customer', '2026-11-30T11:59:00Z'))).json()).toEqual({
      ok: true,
      events: 0,
      applied: 0,
    });
    expect(await dump()).toEqual(after);
  });

  it('SubscriptionChange for a hard bounce or a spam complaint (how a broadcast stream reports complaints) bounces or complains', async () => {
    await addReader(t.db, 'eve@example.org');
    await addReader(t.db, 'fox@example.org');
    await postPostmark(subscriptionChange('eve@example.org', true, 'HardBounce'));
    await postPostmark(subscriptionChange('fox@example.org', true, 'SpamComplaint'));
    expect(await reader('eve@example.org')).toMatchObject({ email_status: 'bounced' });
    expect(await reader('fox@example.org')).toMatchObject({ email_status: 'unsubscribed', unsubscribe_all: 1 });
    expect((await dump()).suppressions).toEqual([
      { reason: 'complaint', source: 'postmark' },
      { reason: 'hard_bounce', source: 'postmark' },
    ]);
    expect((await complaintRate(t.db, null)).complaints).toBe(1);
  });
});

// ------------------------------------------------------------------ Resend

const RESEND_KEY = crypto.getRandomValues(new Uint8Array(24));
const RESEND_SECRET = `whsec_${btoa(String.fromCharCode(...RESEND_KEY))}`;
async function postResend(id: string, body: string) {
  const timestamp = String(Math.floor(NOW.getTime() / 1000));
  const hmac = await crypto.subtle.importKey('raw', RESEND_KEY, { name: 'HMAC', hash: 'SHA-256' }, false, ['sign']);
  const sig = new Uint8Array(await crypto.subtle.sign('HMAC', hmac, new TextEncoder().encode(`${id}.${timestamp}.${body}`)));
  const headers = {
    'content-type': 'application/json',
    'svix-id': id,
    'svix-timestamp': timestamp,
    'svix-signature': `v1,${btoa(String.fromCharCode(...sig))}`,
  };
  return handleResendWebhook(new Request(`${SITE}/api/webhooks/resend`, { method: 'POST', headers, body }), {
    db: t.db,
    secret: RESEND_SECRET,
    now: () => NOW,
  });
}
const resendEvent = (type: string, to: string, extra: object) =>
  JSON.stringify({
    type,
    created_at: '2026-11-30T11:59:12.126Z',
    data: {
      created_at: '2026-11-30T11:58:00Z',
      email_id: '56761188-7520-42d8-8898-ff6fc54ce618',
      message_id: '<x@example.com>',
      from: 'Plain Words <news@example.com>',
      to: [to],
      subject: 'New post',
      ...extra,
    },
  });

describe('Resend', () => {
  it('email.suppressed: previous_bounce bounces and suppresses; previous_complaint unsubscribes and suppresses without counting a new complaint', async () => {
    await addReader(t.db, 'gil@example.org');
    await addReader(t.db, 'hana@example.org');
    const bounced = resendEvent('email.suppressed', 'gil@example.org', {
      suppressed: { message: 'This email was suppressed because the recipient previously bounced.', type: 'previous_bounce' },
    });
    const complained = resendEvent('email.suppressed', 'hana@example.org', {
      suppressed: { message: 'This email was suppressed because the recipient previously complained.', type: 'previous_complaint' },
    });
    expect(await (await postResend('msg_s1', bounced)).json()).toEqual({ ok: true, events: 1, applied: 1 });
    expect(await (await postResend('msg_s2', complained)).json()).toEqual({ ok: true, events: 1, applied: 1 });
    expect(await reader('gil@example.org')).toMatchObject({ email_status: 'bounced' });
    expect(await reader('hana@example.org')).toMatchObject({ email_status: 'unsubscribed', unsubscribe_all: 1 });
    const d = await dump();
    expect(d.suppressions).toEqual([
      { reason: 'complaint', source: 'resend' },
      { reason: 'hard_bounce', source: 'resend' },
    ]);
    expect(d.stats).toEqual([{ total_bounced: 1, total_complained: 0, total_unsubscribed: 0 }]);
    expect((await complaintRate(t.db, null)).complaints).toBe(0);
  });

  it('a bounce of type Undetermined is soft, exactly as the same SES bounceType', async () => {
    await addReader(t.db, 'ida@example.org');
    const body = resendEvent('email.bounced', 'ida@example.org', {
      bounce: { message: 'Amazon SES was unable to determine a specific bounce reason.', subType: 'Undetermined', type: 'Undetermined' },
    });
    expect(await (await postResend('msg_u1', body)).json()).toEqual({ ok: true, events: 1, applied: 1 });
    expect(await reader('ida@example.org')).toMatchObject({ email_status: 'active', bounce_count: 1 });
    expect((await dump()).suppressions).toEqual([]);
    const ses = sesFeedbackEvents(
      {
        eventType: 'Bounce',
        bounce: { bounceType: 'Undetermined', bounceSubType: 'Undetermined', feedbackId: 'f', bouncedRecipients: [{ emailAddress: 'ida@example.org' }] },
        mail: { messageId: 'm' },
      },
      'sns-1',
    );
    const resend = resendFeedbackEvents(JSON.parse(body), 'msg_u1');
    expect(ses.map((e) => e.kind)).toEqual(resend.map((e) => e.kind));
  });
});

// ------------------------------------------------------------------ SES and SNS

describe('SES through SNS', () => {
  // This test takes the real clock: the stand-in's certificate is valid around it.
  it('a complaint with complaintFeedbackType not-spam is a correction: 200, nothing written; abuse still complains', async () => {
    const now = new Date();
    await addReader(t.db, 'jan@example.org');
    const complaint = (type: string, feedbackId: string) => ({
      eventType: 'Complaint',
      complaint: {
        feedbackId,
        complainedRecipients: [{ emailAddress: 'jan@example.org' }],
        complaintFeedbackType: type,
        timestamp: now.toISOString(),
        arrivalDate: now.toISOString(),
      },
      mail: { timestamp: now.toISOString(), source: 'news@example.com', messageId: '0102017f-mail-000009', destination: ['jan@example.org'] },
    });
    const post = async (event: object, n: number) => {
      const message = await sns.sign(
        {
          Type: 'Notification',
          MessageId: `22b80b92-fdea-4c2c-8f9d-bdfb0c7bf4${n}`,
          TopicArn: TOPIC_ARN,
          Message: JSON.stringify(event),
          Timestamp: now.toISOString(),
        },
        '2',
      );
      const request = new Request(`${SITE}/api/webhooks/ses`, {
        method: 'POST',
        headers: { 'x-amz-sns-message-type': 'Notification' },
        body: JSON.stringify(message),
      });
      return handleSesWebhook(request, { db: t.db, topicArns: [TOPIC_ARN], now: () => now, sns: { allowUrl: (url) => url.origin === sns.url } });
    };
    const before = await dump();
    const correction = await post(complaint('not-spam', 'fb-1'), 1);
    expect(correction.status).toBe(200);
    expect(await correction.json()).toEqual({ ok: true, events: 0, applied: 0 });
    expect(await dump()).toEqual(before);
    expect(await (await post(complaint('abuse', 'fb-2'), 2)).json()).toEqual({ ok: true, events: 1, applied: 1 });
    expect(await reader('jan@example.org')).toMatchObject({ email_status: 'unsubscribed' });
  });

  it("a bounce is written to the history of the notification it answers: SES's MessageId, recorded at send, is the id its event carries", async () => {
    const ses = await startSesStandin();
    try {
      const kim = await addReader(t.db, 'kim@example.org');
      await addContent(t.db, { publishDate: '2026-11-30T11:00:00Z' });
      const settings = {
        SITE_URL: SITE,
        SITE_NAME: 'Plain Words',
        MAIL_FROM: 'Plain Words <news@blog.example.com>',
        POSTAL_ADDRESS: '1 Example Street, Example City',
        MAIL_TRANSPORT: 'ses',
        AWS_ACCESS_KEY_ID: ses.accessKeyId,
        AWS_SECRET_ACCESS_KEY: ses.secretAccessKey,
        SES_REGION: ses.region,
        SES_ENDPOINT: ses.url,
        RATE_PER_MINUTE: '0',
        DAILY_CAP: '0',
      };
      expect(await processNotifications({ ...buildDeliveryDeps({ DB: t.d1 }, { settings }), clock: () => NOW })).toMatchObject({ sent: 1 });
      const [sent] = await rows<{ id: string; email_message_id: string; message_id_header: string }>(
        t.d1,
        'SELECT id, email_message_id, message_id_header FROM email_notifications WHERE user_id = ?',
        kim.id,
      );
      expect(sent!.email_message_id).toBe(ses.sent[0]!.messageId);
      expect(ses.sent[0]!.delivered).not.toContain(sent!.message_id_header); // SES's Message-ID reached the reader, not ours

      const event = {
        eventType: 'Bounce',
        bounce: { feedbackId: 'fb-kim', bounceType: 'Permanent', bounceSubType: 'General', bouncedRecipients: [{ emailAddress: 'kim@example.org' }] },
        mail: { messageId: ses.sent[0]!.messageId },
      };
      await applyFeedbackEvents(t.db, sesFeedbackEvents(event, 'sns-kim'), { now: NOW });
      expect(await rows(t.d1, "SELECT notification_id FROM email_notification_history WHERE action = 'bounced'")).toEqual([{ notification_id: sent!.id }]);
    } finally {
      await ses.close();
    }
  });

  it('accepts certificate and confirmation hosts in the China regions, and nothing that only looks like them', () => {
    for (const ok of [
      'https://sns.cn-north-1.amazonaws.com.cn/SimpleNotificationService-1.pem',
      'https://sns.cn-northwest-1.amazonaws.com.cn/x.pem',
      'https://sns.eu-west-1.amazonaws.com/x.pem',
    ]) {
      expect(isAwsSnsUrl(new URL(ok))).toBe(true);
    }
    for (const bad of [
      'https://sns.cn-north-1.amazonaws.com.cn.evil.com/x.pem',
      'http://sns.cn-north-1.amazonaws.com.cn/x.pem',
      'https://sns.cn-north-1.amazonaws.cn/x.pem',
      'https://sns.cn-north-1.amazonaws.com.cn:8443/x.pem',
    ]) {
      expect(isAwsSnsUrl(new URL(bad))).toBe(false);
    }
  });
});
