/**
 * Test transports. Deterministic: no timers, no randomness.
 *
 * Fault injection: each send takes the next outcome of a script (an array, used in
 * call order and then 'ok' for ever, or a function of the email and its attempt
 * number). The outcomes mirror what the Gmail transport returns:
 *   'ok'      accepted (recorded in `.sent`)
 *   '429'     retryable, code http_429, with retryAfterSeconds
 *   '500'     retryable, code http_500
 *   'timeout' retryable, code timeout (not delivered)
 *   '401'     permanent, code http_401 (the Gmail transport already refreshed once and retried once)
 *   '400'     permanent, code http_400
 *   'crash'   the message IS delivered (recorded in `.sent`), then send() throws
 *             SimulatedCrash: the worker died after the provider accepted the
 *             message and before the status update. Delivery is at least once:
 *             the lease expires and the message is sent again.
 */
import type { OutgoingEmail, SendResult, Transport } from '../../integration/delivery/transport';

export type FaultOutcome = 'ok' | '429' | '500' | '401' | 'timeout' | '400' | 'crash';
export type FaultScript = FaultOutcome[] | ((email: OutgoingEmail, attempt: number) => FaultOutcome);

export type Attempt = { email: OutgoingEmail; attempt: number; outcome: FaultOutcome };

export class SimulatedCrash extends Error {
  constructor(readonly email: OutgoingEmail) {
    super(`simulated crash after sending to ${email.to}`);
    this.name = 'SimulatedCrash';
  }
}

export type FaultInjectionTransport = Transport & {
  /** Every message the "provider" accepted, in order ('ok' and 'crash'). */
  readonly sent: OutgoingEmail[];
  /** Every call to send, in order, with its outcome. */
  readonly attempts: Attempt[];
  /** How many times this message (by Message-ID) was handed to send. */
  attemptsFor(messageIdHeader: string): number;
  /** Messages accepted for one recipient (duplicates included). */
  sentTo(address: string): OutgoingEmail[];
};

const DEFAULT_RETRY_AFTER_SECONDS = 60;

export function createFaultInjectionTransport(options: { script?: FaultScript; retryAfterSeconds?: number; name?: string } = {}): FaultInjectionTransport {
  const script = options.script ?? [];
  const retryAfterSeconds = options.retryAfterSeconds ?? DEFAULT_RETRY_AFTER_SECONDS;
  const sent: OutgoingEmail[] = [];
  const attempts: Attempt[] = [];
  const perMessage = new Map<string, number>();

  const next = (email: OutgoingEmail, attempt: number): FaultOutcome =>
    typeof script === 'function' ? script(email, attempt) : (script[attempts.length] ?? 'ok');

  return {
    name: options.name ?? 'fault-injection',
    sent,
    attempts,
    attemptsFor: (id) => perMessage.get(id) ?? 0,
    sentTo: (address) => sent.filter((e) => e.to === address),
    async send(email): Promise<SendResult> {
      const attempt = (perMessage.get(email.messageIdHeader) ?? 0) + 1;
      perMessage.set(email.messageIdHeader, attempt);
      const outcome = next(email, attempt);
      attempts.push({ email, attempt, outcome });
      switch (outcome) {
        case 'ok':
          sent.push(email);
          return { ok: true, providerMessageId: `fault-${attempts.length}` };
        case 'crash':
          sent.push(email);
          throw new SimulatedCrash(email);
        case '429':
          return { ok: false, retryable: true, code: 'http_429', error: 'injected 429 Too Many Requests', retryAfterSeconds };
        case '500':
          return { ok: false, retryable: true, code: 'http_500', error: 'injected 500 Backend Error' };
        case 'timeout':
          return { ok: false, retryable: true, code: 'timeout', error: 'injected timeout' };
        case '401':
          return { ok: false, retryable: false, code: 'http_401', error: 'injected 401 Invalid Credentials' };
        case '400':
          return { ok: false, retryable: false, code: 'http_400', error: 'injected 400 Invalid To header' };
        default:
          throw new Error(`unknown fault outcome ${String(outcome)}`);
      }
    },
  };
}

export type LoopbackTransport = Transport & { readonly count: number; readonly bytes: number };

/** Accepts everything at once and keeps only counters (the benchmark's transport). */
export function createLoopbackTransport(): LoopbackTransport {
  let count = 0;
  let bytes = 0;
  return {
    name: 'loopback',
    get count() {
      return count;
    },
    get bytes() {
      return bytes;
    },
    async send(email) {
      count += 1;
      bytes += email.raw.length;
      return { ok: true, providerMessageId: `loopback-${count}` };
    },
  };
}
