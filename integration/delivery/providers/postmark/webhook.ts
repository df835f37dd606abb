/**
 * POST /api/webhooks/postmark: Postmark's Bounce, SpamComplaint, SubscriptionChange and Delivery
 * webhooks. Postmark authenticates with HTTP basic auth written into the webhook URL
 * (https://user:password@site/api/webhooks/postmark); both parts are compared in constant time.
 *
 * On a broadcast stream Postmark manages unsubscribes by default (its own footer link and
 * List-Unsubscribe headers) and reports them, and spam complaints, only as SubscriptionChange
 * (https://postmarkapp.com/developer/webhooks/subscription-change-webhook,
 * https://postmarkapp.com/developer/webhooks/spam-complaint-webhook).
 */
import type { Db } from '../../../../db/client';
import { applyFeedbackEvents, type FeedbackEvent, type FeedbackKind } from '../../../../db/feedback/events';
import { secretsEqual } from '../../../../db/crypto';
import { notConfigured, readBody, reply, str } from '../webhook-common';

export type PostmarkWebhookDeps = { db: Db; user?: string; password?: string; now?: () => Date };

/**
 * Postmark bounce TypeCodes (its "Bounce types" reference) that say something about the address.
 * Others (auto-responders, challenge mails, unsubscribe requests, …) change nothing, and so does
 * 512 SpamNotification: the receiving server's filter refused the content, the reader complained
 * of nothing, and Postmark keeps the address active
 * (https://postmarkapp.com/support/article/1065-what-is-the-difference-between-a-spam-complaint-and-a-spam-notification-bounce).
 */
export const POSTMARK_BOUNCE_KINDS: Readonly<Record<number, FeedbackKind>> = {
  1: 'hard_bounce', // HardBounce
  100000: 'hard_bounce', // BadEmailAddress
  100002: 'hard_bounce', // ManuallyDeactivated
  2: 'soft_bounce', // Transient
  256: 'soft_bounce', // DnsError
  4096: 'soft_bounce', // SoftBounce
  100006: 'soft_bounce', // Blocked (by the receiving ISP)
  100001: 'complaint', // SpamComplaint
};

/** SubscriptionChange with SuppressSending true: what the suppression means here. */
const SUPPRESSION_KINDS: Readonly<Record<string, FeedbackKind>> = {
  HardBounce: 'hard_bounce',
  SpamComplaint: 'complaint',
  ManualSuppression: 'unsubscribe', // the reader's own unsubscribe at Postmark, or the author's manual suppression
};

/**
 * JSON.parse, but every `ID` number is kept as the digits Postmark sent: bounce ids run past
 * 2^53 (the docs' examples use 4323372036854775807), where a JS number loses digits. Uses the
 * reviver's source text (JSON.parse source access: V8 in Node 22+ and workerd).
 */
export function parsePostmarkJson(text: string): Record<string, unknown> | null {
  try {
    const value: unknown = JSON.parse(text, function (this: unknown, key: string, value: unknown, context?: { source?: string }) {
      return key === 'ID' && typeof value === 'number' && context?.source ? context.source : value;
    } as (key: string, value: unknown) => unknown);
    return value !== null && typeof value === 'object' && !Array.isArray(value) ? (value as Record<string, unknown>) : null;
  } catch {
    return null;
  }
}

async function authorized(header: string | null, user: string, password: string): Promise<boolean> {
  const match = /^Basic\s+([A-Za-z0-9+/=]+)\s*$/i.exec(header ?? '');
  let given = '';
  try {
    given = match ? atob(match[1]!) : '';
  } catch {
    given = '';
  }
  const colon = given.indexOf(':');
  const [u, p] = colon < 0 ? ['', ''] : [given.slice(0, colon), given.slice(colon + 1)];
  const [userOk, passwordOk] = await Promise.all([secretsEqual(u, user), secretsEqual(p, password)]);
  return userOk && passwordOk;
}

export function postmarkFeedbackEvents(record: Record<string, unknown>): FeedbackEvent[] {
  const base = { provider: 'postmark' as const, providerMessageId: str(record.MessageID) ?? null };
  const id = typeof record.ID === 'string' && /^\d{1,40}$/.test(record.ID) ? record.ID : undefined;
  switch (record.RecordType) {
    case 'Bounce': {
      const kind = typeof record.TypeCode === 'number' ? POSTMARK_BOUNCE_KINDS[record.TypeCode] : undefined;
      const recipient = str(record.Email);
      if (!kind || !recipient || !id) return [];
      return [{ ...base, eventId: `bounce:${id}`, kind, recipient, detail: str(record.Type) ?? null }];
    }
    case 'SpamComplaint': {
      const recipient = str(record.Email);
      return recipient && id ? [{ ...base, eventId: `complaint:${id}`, kind: 'complaint', recipient, detail: str(record.Type) ?? null }] : [];
    }
    case 'SubscriptionChange': {
      const recipient = str(record.Recipient);
      const changedAt = str(record.ChangedAt);
      // Reactivation (SuppressSending false) changes nothing here: only the reader's own
      // confirmation subscribes them again (docs/providers.md "Postmark").
      if (record.SuppressSending !== true || !recipient || !changedAt) return [];
      const kind = SUPPRESSION_KINDS[str(record.SuppressionReason) ?? ''];
      if (!kind) return [];
      const stream = str(record.MessageStream) ?? '';
      return [
        {
          ...base,
          eventId: `subscription:${stream}:${changedAt}:${recipient.toLowerCase()}`.slice(0, 200),
          kind,
          recipient,
          detail: [str(record.SuppressionReason), str(record.Origin)].filter(Boolean).join(' '),
        },
      ];
    }
    case 'Delivery': {
      const recipient = str(record.Recipient);
      return recipient && base.providerMessageId
        ? [{ ...base, eventId: `delivery:${base.providerMessageId}:${recipient.toLowerCase()}`, kind: 'delivered', recipient }]
        : [];
    }
    default:
      return []; // Open, Click: not ours to act on
  }
}

export async function handlePostmarkWebhook(request: Request, deps: PostmarkWebhookDeps): Promise<Response> {
  if (!deps.user || !deps.password) return notConfigured('POSTMARK_WEBHOOK_USER or POSTMARK_WEBHOOK_PASSWORD');
  if (!(await authorized(request.headers.get('authorization'), deps.user, deps.password))) {
    return reply(401, { error: 'unauthorized' }, { 'www-authenticate': 'Basic realm="postmark-webhook"' });
  }
  const body = await readBody(request);
  if (!body.ok) return body.response;
  const record = parsePostmarkJson(body.text);
  if (!record || typeof record.RecordType !== 'string')
    return reply(400, { error: 'invalid_body', reason: 'Expected a Postmark webhook JSON object with RecordType.' });
  const events = postmarkFeedbackEvents(record);
  const results = await applyFeedbackEvents(deps.db, events, { now: deps.now?.() ?? new Date() });
  return reply(200, { ok: true, events: events.length, applied: results.filter((r) => r.applied).length });
}
