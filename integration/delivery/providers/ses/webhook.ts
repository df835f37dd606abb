/**
 * POST /api/webhooks/ses: Amazon SES events through an SNS topic (a configuration set's event
 * destination, or an identity's feedback notifications). The SNS signature is verified, the
 * topic must be one of SES_SNS_TOPIC_ARNS, a SubscriptionConfirmation is confirmed by fetching
 * its (host-checked) SubscribeURL, and a Notification's Bounce / Complaint / Delivery becomes
 * provider-neutral feedback events (db/feedback/events.ts).
 */
import type { Db } from '../../../../db/client';
import { applyFeedbackEvents, type FeedbackEvent } from '../../../../db/feedback/events';
import { arr, bounceKindOfSesType, obj, parseJsonObject, readBody, reply, notConfigured, str } from '../webhook-common';
import { isAwsSnsUrl, parseSnsMessage, verifySnsSignature, type SnsVerifierOptions } from './sns-signature';

/** SNS retries within minutes by default; a signed message older than this is a replay. */
export const SNS_MAX_AGE_MS = 6 * 60 * 60 * 1000;

export type SesWebhookDeps = {
  db: Db;
  /** SES_SNS_TOPIC_ARNS, split on commas. */
  topicArns: readonly string[];
  now?: () => Date;
  sns?: SnsVerifierOptions;
};

export function parseTopicArns(value: string | undefined): string[] {
  return (value ?? '')
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
}

/** The feedback events an SES event JSON (event publishing's `eventType` or notifications' `notificationType`) carries. */
export function sesFeedbackEvents(ses: Record<string, unknown>, snsMessageId: string): FeedbackEvent[] {
  const type = str(ses.eventType) ?? str(ses.notificationType);
  const mailId = str(obj(ses.mail)?.messageId) ?? null;
  const base = { provider: 'ses' as const, providerMessageId: mailId };
  if (type === 'Bounce') {
    const bounce = obj(ses.bounce) ?? {};
    const kind = bounceKindOfSesType(bounce.bounceType);
    const id = str(bounce.feedbackId) ?? snsMessageId;
    return arr(bounce.bouncedRecipients).flatMap((r, i) => {
      const recipient = str(obj(r)?.emailAddress);
      const detail = [str(bounce.bounceType), str(bounce.bounceSubType), str(obj(r)?.status)].filter(Boolean).join(' ');
      return recipient ? [{ ...base, eventId: `${id}/${i}`, kind, recipient, detail }] : [];
    });
  }
  if (type === 'Complaint') {
    const complaint = obj(ses.complaint) ?? {};
    // "not-spam": the reporter says the message is not spam, correcting an earlier report
    // (https://docs.aws.amazon.com/ses/latest/dg/notification-contents.html#complaint-object).
    if (complaint.complaintFeedbackType === 'not-spam') return [];
    const id = str(complaint.feedbackId) ?? snsMessageId;
    return arr(complaint.complainedRecipients).flatMap((r, i) => {
      const recipient = str(obj(r)?.emailAddress);
      return recipient ? [{ ...base, eventId: `${id}/${i}`, kind: 'complaint' as const, recipient, detail: str(complaint.complaintFeedbackType) ?? null }] : [];
    });
  }
  if (type === 'Delivery') {
    const delivery = obj(ses.delivery) ?? {};
    return arr(delivery.recipients).flatMap((r, i) => {
      const recipient = str(r);
      return recipient ? [{ ...base, eventId: `delivery:${mailId ?? snsMessageId}/${i}`, kind: 'delivered' as const, recipient }] : [];
    });
  }
  return []; // Send, Reject, Open, Click, …: nothing to do
}

export async function handleSesWebhook(request: Request, deps: SesWebhookDeps): Promise<Response> {
  if (deps.topicArns.length === 0) return notConfigured('SES_SNS_TOPIC_ARNS');
  const now = deps.now?.() ?? new Date();
  const body = await readBody(request);
  if (!body.ok) return body.response;
  const json = parseJsonObject(body.text);
  if (!json) return reply(400, { error: 'invalid_body', reason: 'The body is not a JSON object.' });
  const parsed = parseSnsMessage(json);
  if (!parsed.ok) return reply(400, { error: 'invalid_message', reason: parsed.reason });
  const message = parsed.message;
  // The header SNS sets must agree with the body (a cheap check before any fetch).
  const headerType = request.headers.get('x-amz-sns-message-type');
  if (headerType !== null && headerType !== message.Type)
    return reply(400, { error: 'invalid_message', reason: 'x-amz-sns-message-type does not match Type.' });

  // What costs nothing comes first (topic, age, certificate URL shape): an unauthenticated
  // request must never make the Worker fetch a URL. Only then the certificate and the signature.
  if (!deps.topicArns.includes(message.TopicArn)) return reply(403, { error: 'unknown_topic', reason: 'This topic is not in SES_SNS_TOPIC_ARNS.' });
  const sentAt = Date.parse(message.Timestamp);
  if (!Number.isFinite(sentAt) || Math.abs(now.getTime() - sentAt) > SNS_MAX_AGE_MS) {
    return reply(400, { error: 'stale_message', reason: 'The message Timestamp is too old (or in the future).' });
  }
  const verdict = await verifySnsSignature(message, deps.sns, now);
  if (!verdict.ok) return reply(403, { error: 'bad_signature', reason: verdict.reason });

  if (message.Type === 'SubscriptionConfirmation') return confirmSubscription(message.SubscribeURL!, deps.sns);
  if (message.Type === 'UnsubscribeConfirmation') return reply(200, { ok: true, ignored: 'UnsubscribeConfirmation' });

  const ses = parseJsonObject(message.Message);
  if (!ses) return reply(400, { error: 'invalid_message', reason: 'The SNS Message is not SES event JSON.' });
  const events = sesFeedbackEvents(ses, message.MessageId);
  const results = await applyFeedbackEvents(deps.db, events, { now });
  return reply(200, { ok: true, events: events.length, applied: results.filter((r) => r.applied).length });
}

async function confirmSubscription(subscribeUrl: string, sns: SnsVerifierOptions = {}): Promise<Response> {
  let url: URL;
  try {
    url = new URL(subscribeUrl);
  } catch {
    return reply(400, { error: 'invalid_message', reason: 'SubscribeURL is not a URL.' });
  }
  if (!(sns.allowUrl ?? isAwsSnsUrl)(url)) return reply(403, { error: 'bad_subscribe_url', reason: 'SubscribeURL is not on sns.<region>.amazonaws.com.' });
  try {
    const response = await (sns.fetch ?? fetch)(url.href, { signal: AbortSignal.timeout(10_000), redirect: 'manual' });
    if (!response.ok) return reply(502, { error: 'confirmation_failed', reason: `SNS answered ${response.status} to the confirmation.` });
  } catch {
    return reply(502, { error: 'confirmation_failed', reason: 'SNS could not be reached to confirm the subscription.' });
  }
  return reply(200, { ok: true, confirmed: true });
}
