/**
 * POST /api/webhooks/resend: Resend's email.bounced, email.complained, email.suppressed and email.delivered,
 * signed the Svix way: HMAC-SHA256 over `${svix-id}.${svix-timestamp}.${body}` with the base64
 * key after `whsec_`, any `v1,<base64>` entry of `svix-signature` may match, and the timestamp
 * must be within 5 minutes of now.
 */
import type { Db } from '../../../../db/client';
import { applyFeedbackEvents, type FeedbackEvent } from '../../../../db/feedback/events';
import { constantTimeEqual } from '../../../../db/crypto';
import { arr, bounceKindOfSesType, notConfigured, obj, parseJsonObject, readBody, reply, str } from '../webhook-common';

export const SVIX_TOLERANCE_SECONDS = 5 * 60;

export type ResendWebhookDeps = { db: Db; secret?: string; now?: () => Date };

function secretKey(secret: string): Uint8Array<ArrayBuffer> | null {
  const b64 = secret.startsWith('whsec_') ? secret.slice('whsec_'.length) : secret;
  try {
    return Uint8Array.from(atob(b64), (c) => c.charCodeAt(0));
  } catch {
    return null;
  }
}

/** Whether the Svix headers sign this body with this secret, at `now`. */
export async function svixVerify(
  headers: Headers,
  body: string,
  secret: string,
  now: Date,
): Promise<{ ok: true; id: string } | { ok: false; status: 400 | 401; reason: string }> {
  const id = headers.get('svix-id');
  const timestamp = headers.get('svix-timestamp');
  const signatures = headers.get('svix-signature');
  if (!id || !timestamp || !signatures) return { ok: false, status: 400, reason: 'Missing svix-id, svix-timestamp or svix-signature.' };
  if (!/^\d{1,12}$/.test(timestamp)) return { ok: false, status: 400, reason: 'svix-timestamp is not Unix seconds.' };
  if (Math.abs(now.getTime() / 1000 - Number(timestamp)) > SVIX_TOLERANCE_SECONDS)
    return { ok: false, status: 401, reason: 'svix-timestamp is outside the 5-minute tolerance.' };
  const keyBytes = secretKey(secret);
  if (!keyBytes) return { ok: false, status: 401, reason: 'The webhook secret is not a whsec_ key.' };
  const key = await crypto.subtle.importKey('raw', keyBytes, { name: 'HMAC', hash: 'SHA-256' }, false, ['sign']);
  const expected = new Uint8Array(await crypto.subtle.sign('HMAC', key, new TextEncoder().encode(`${id}.${timestamp}.${body}`)));
  for (const entry of signatures.split(' ')) {
    const [version, b64] = entry.split(',', 2);
    if (version !== 'v1' || !b64) continue;
    let given: Uint8Array;
    try {
      given = Uint8Array.from(atob(b64), (c) => c.charCodeAt(0));
    } catch {
      continue;
    }
    if (constantTimeEqual(given, expected)) return { ok: true, id };
  }
  return { ok: false, status: 401, reason: 'No svix-signature entry matches.' };
}

export function resendFeedbackEvents(event: Record<string, unknown>, svixId: string): FeedbackEvent[] {
  const data = obj(event.data) ?? {};
  const base = { provider: 'resend' as const, providerMessageId: str(data.email_id) ?? null };
  const recipients = (Array.isArray(data.to) ? arr(data.to) : [data.to]).map(str).filter((r): r is string => !!r);
  const each = (kind: FeedbackEvent['kind'], detail: string | null) =>
    recipients.map((recipient, i) => ({ ...base, eventId: `${svixId}/${i}`, kind, recipient, detail }));
  switch (event.type) {
    case 'email.bounced': {
      // bounce.type is SES's bounceType (Permanent, Transient, Undetermined): read it as SES's is.
      const bounce = obj(data.bounce) ?? {};
      return each(bounceKindOfSesType(bounce.type), [str(bounce.type), str(bounce.subType)].filter(Boolean).join(' ') || null);
    }
    case 'email.suppressed': {
      // Resend did not send: the address bounced or complained before (data.suppressed.type,
      // resend-node src/webhooks/interfaces/webhook-event.interface.ts EmailSuppressedEvent).
      const type = str(obj(data.suppressed)?.type);
      if (type === 'previous_bounce') return each('hard_bounce', 'suppressed previous_bounce');
      if (type === 'previous_complaint') return each('prior_complaint', 'suppressed previous_complaint');
      return [];
    }
    case 'email.complained':
      return each('complaint', null);
    case 'email.delivered':
      return each('delivered', null);
    default:
      return [];
  }
}

export async function handleResendWebhook(request: Request, deps: ResendWebhookDeps): Promise<Response> {
  if (!deps.secret) return notConfigured('RESEND_WEBHOOK_SECRET');
  const now = deps.now?.() ?? new Date();
  const body = await readBody(request);
  if (!body.ok) return body.response;
  const verdict = await svixVerify(request.headers, body.text, deps.secret, now);
  if (!verdict.ok) return reply(verdict.status, { error: verdict.status === 401 ? 'bad_signature' : 'invalid_request', reason: verdict.reason });
  const event = parseJsonObject(body.text);
  if (!event || typeof event.type !== 'string') return reply(400, { error: 'invalid_body', reason: 'Expected a Resend event JSON object with type.' });
  const events = resendFeedbackEvents(event, verdict.id);
  const results = await applyFeedbackEvents(deps.db, events, { now });
  return reply(200, { ok: true, events: events.length, applied: results.filter((r) => r.applied).length });
}
