/**
 * Cloudflare Email Service through the Worker's `send_email` binding (`env.EMAIL.send({...})`,
 * the structured builder). Cloudflare's FAQ calls the service transactional, so the
 * configuration uses it for verification mail unless the author opts in to bulk
 * (CLOUDFLARE_EMAIL_BULK, docs/providers.md). Cloudflare generates the Message-ID (it is
 * platform-controlled); ours is kept in history, theirs is the provider id.
 * Errors are thrown with a `code` (E_RECIPIENT_SUPPRESSED, E_RATE_LIMIT_EXCEEDED, …).
 */
import { RECIPIENT_SUPPRESSED, type SendResult, type Transport } from '../../transport';
import { secondsToUtcMidnight, withoutRecipient } from '../http';
import { emailFields } from '../mime-fields';

/** The part of the `send_email` binding this transport uses (workers-types `SendEmail`). */
export type SendEmailBinding = {
  send(message: {
    to: string | string[];
    from: string | { email: string; name: string };
    subject: string;
    html?: string;
    text?: string;
    headers?: Record<string, string>;
  }): Promise<{ messageId: string }>;
};

export type CloudflareEmailOptions = { binding: SendEmailBinding; clock?: () => Date };

const RATE_LIMIT_RETRY_SECONDS = 60;

/** Cloudflare's documented error codes (email-service/api/send-emails/workers-api): what each means here. */
const CODES: Record<string, { code: string; retryable: boolean }> = {
  E_RECIPIENT_SUPPRESSED: { code: RECIPIENT_SUPPRESSED, retryable: false },
  E_RATE_LIMIT_EXCEEDED: { code: 'throttled', retryable: true },
  E_DAILY_LIMIT_EXCEEDED: { code: 'daily_quota', retryable: true },
  E_INTERNAL_SERVER_ERROR: { code: 'provider_error', retryable: true },
  E_DELIVERY_FAILED: { code: 'delivery_failed', retryable: true },
  E_RECIPIENT_NOT_ALLOWED: { code: 'recipient_not_allowed', retryable: false },
  E_SENDER_NOT_VERIFIED: { code: 'sender_not_verified', retryable: false },
  E_SENDER_NOT_ALLOWED: { code: 'sender_not_allowed', retryable: false }, // outside the binding's allowed_sender_addresses
  E_SENDER_DOMAIN_NOT_AVAILABLE: { code: 'sender_not_verified', retryable: false },
};

/** Maps what `send()` threw to a SendResult (exported for tests). */
export function classifyCloudflareError(error: unknown, now: Date): Extract<SendResult, { ok: false }> {
  const message = error instanceof Error ? error.message : String(error);
  const thrownCode = typeof (error as { code?: unknown })?.code === 'string' ? (error as { code: string }).code : undefined;
  // Miniflare (and older runtimes) throw a plain Error for an address outside the binding's allow lists.
  const code =
    thrownCode ??
    (/^email from .* not allowed$/.test(message) ? 'E_SENDER_NOT_ALLOWED' : / not allowed$/.test(message) ? 'E_RECIPIENT_NOT_ALLOWED' : undefined);
  const text = `Cloudflare Email Service${code ? ` ${code}` : ''}: ${message}`;
  if (!code) return { ok: false, retryable: true, code: 'provider_error', error: text }; // an RPC hiccup: try again
  const known = CODES[code] ?? { code: code.toLowerCase().replace(/^e_/, ''), retryable: false }; // validation, headers, size
  const retryAfterSeconds =
    code === 'E_DAILY_LIMIT_EXCEEDED' ? secondsToUtcMidnight(now) : code === 'E_RATE_LIMIT_EXCEEDED' ? RATE_LIMIT_RETRY_SECONDS : undefined;
  return { ok: false, retryable: known.retryable, code: known.code, error: text, ...(retryAfterSeconds !== undefined ? { retryAfterSeconds } : {}) };
}

export function createCloudflareEmailTransport(options: CloudflareEmailOptions): Transport {
  const clock = options.clock ?? (() => new Date());
  return {
    name: 'cloudflare',
    async send(email) {
      try {
        const f = await emailFields(email);
        const result = await options.binding.send({
          to: f.to,
          from: f.from.name ? { email: f.from.email, name: f.from.name } : f.from.email,
          subject: f.subject,
          ...(f.html ? { html: f.html } : {}),
          ...(f.text ? { text: f.text } : {}),
          ...(f.replyTo ? { replyTo: f.replyTo } : {}),
          headers: f.headers,
        });
        if (!result?.messageId) return { ok: false, retryable: false, code: 'bad_response', error: 'Cloudflare Email Service answered without a messageId' };
        return { ok: true, providerMessageId: result.messageId };
      } catch (error) {
        return withoutRecipient(classifyCloudflareError(error, clock()), email.to);
      }
    },
  };
}
