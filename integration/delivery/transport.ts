/**
 * How a built message leaves the system. The processor depends only on this
 * interface; the Gmail API, Amazon SES, Postmark, Resend, Cloudflare Email Service and
 * the dev capture outbox implement it (integration/delivery/providers/<name>/), and so do the
 * tests' doubles (test/helpers/fault-injection.ts).
 */

/**
 * The permanent failure code of a recipient the provider refuses to mail (hard bounce or
 * complaint on its suppression list): Postmark 406, Cloudflare `E_RECIPIENT_SUPPRESSED`.
 * It reaches history's `error_code`, so the reader can be suppressed here too.
 */
export const RECIPIENT_SUPPRESSED = 'recipient_suppressed';

export type OutgoingEmail = {
  /** The envelope recipient (bare address). */
  to: string;
  /** The complete RFC 5322 message (headers + body) with CRLF line endings, as built by `buildMessage`. */
  raw: string;
  /** The Message-ID header value, angle brackets included: `<id@domain>`. */
  messageIdHeader: string;
};

export type SendResult =
  | { ok: true; providerMessageId: string }
  | {
      ok: false;
      /** True for transient failures (429, 5xx, timeout, network): try again later. */
      retryable: boolean;
      /** A human-readable reason; never contains secrets. */
      error: string;
      /** A short machine code: 'http_429', 'http_500', 'http_400', 'timeout', 'network', 'invalid_grant', 'crash', 'recipient_suppressed', … */
      code?: string;
      /** The provider's Retry-After, in seconds, when it gave one. */
      retryAfterSeconds?: number;
    };

export interface Transport {
  readonly name: string;
  /** Never throws for a provider failure: every outcome is a SendResult. */
  send(email: OutgoingEmail): Promise<SendResult>;
  /**
   * Optional: many emails in as few requests as the provider allows (one request is one
   * Worker subrequest). Returns one result per email, in order; never throws for a provider
   * failure. The processor calls it with at most `maxBatchSize` emails.
   */
  sendBatch?(emails: readonly OutgoingEmail[]): Promise<SendResult[]>;
  /** The most emails one `sendBatch` call takes (the provider's batch limit). */
  readonly maxBatchSize?: number;
}
