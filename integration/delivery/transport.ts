/**
 * How a built message leaves the system. The processor depends only on this
 * interface; the Gmail API and the dev capture outbox implement it
 * (integration/delivery/transports/), and so do the tests' doubles (test/helpers/fault-injection.ts).
 */

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
      /** A short machine code: 'http_429', 'http_500', 'http_400', 'timeout', 'network', 'invalid_grant', 'crash', … */
      code?: string;
      /** The provider's Retry-After, in seconds, when it gave one. */
      retryAfterSeconds?: number;
    };

export interface Transport {
  readonly name: string;
  /** Never throws for a provider failure: every outcome is a SendResult. */
  send(email: OutgoingEmail): Promise<SendResult>;
}
