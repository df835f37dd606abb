/**
 * Resend: `POST /emails/batch` (up to 100 emails a request, one Worker subrequest) with an
 * `Idempotency-Key` (Resend keeps keys 24 hours: the same key returns the first answer).
 * The key is the SHA-256 of the request body, so a request repeated as it is (a retry by
 * a proxy or a client) is sent once. Permissive batch validation: one invalid email does
 * not sink the other 99; Resend lists it in `errors` by index.
 */
import { sha256Hex } from '../../../../db/crypto';
import type { OutgoingEmail, SendResult, Transport } from '../../transport';
import {
  allFailed,
  DEFAULT_HTTP_TIMEOUT_MS,
  defaultFetch,
  field,
  isFailure,
  request,
  retryAfterOf,
  secondsToUtcMidnight,
  stringField,
  trimBase,
  withoutRecipient,
  type FetchLike,
  type HttpAnswer,
} from '../http';
import { emailFields, formatAddress } from '../mime-fields';

export const RESEND_API_BASE = 'https://api.resend.com';
export const RESEND_MAX_BATCH = 100;

export type ResendTransportOptions = {
  apiKey: string;
  apiBase?: string;
  fetch?: FetchLike;
  timeoutMs?: number;
  clock?: () => Date;
};

/** Without a Retry-After on a rate-limit 429: Resend's window is one second. */
const RATE_LIMIT_RETRY_SECONDS = 1;
const MONTHLY_QUOTA_RETRY_SECONDS = 24 * 60 * 60;

/** Maps a whole-request failure (Resend's `{ statusCode, name, message }`) to a result (exported for tests). */
export function classifyResendError(answer: HttpAnswer, now: Date): Extract<SendResult, { ok: false }> {
  const { status, body } = answer;
  const name = stringField(body, 'name') ?? '';
  const message = stringField(body, 'message') ?? `HTTP ${status}`;
  const error = `Resend ${status}${name ? ` ${name}` : ''}: ${message}`;
  const retryAfter = retryAfterOf(answer.headers, now);
  if (status === 429) {
    if (name === 'daily_quota_exceeded') return { ok: false, retryable: true, code: 'daily_quota', error, retryAfterSeconds: secondsToUtcMidnight(now) };
    if (name === 'monthly_quota_exceeded') return { ok: false, retryable: true, code: 'monthly_quota', error, retryAfterSeconds: MONTHLY_QUOTA_RETRY_SECONDS };
    return { ok: false, retryable: true, code: 'throttled', error, retryAfterSeconds: retryAfter ?? RATE_LIMIT_RETRY_SECONDS };
  }
  if (status === 409 && name === 'concurrent_idempotent_requests')
    return { ok: false, retryable: true, code: 'idempotency_in_flight', error, retryAfterSeconds: retryAfter ?? RATE_LIMIT_RETRY_SECONDS };
  if (status >= 500)
    return { ok: false, retryable: true, code: `http_${status}`, error, ...(retryAfter !== undefined ? { retryAfterSeconds: retryAfter } : {}) };
  if (status === 401 || (status === 403 && /api_key/.test(name)))
    return { ok: false, retryable: false, code: 'auth', error: `${error} (check RESEND_API_KEY)` };
  // Resend's edge (Cloudflare) answers a plain-text 403 "error code: 1010" before the API sees the request.
  if (status === 403 && !name)
    return { ok: false, retryable: false, code: 'edge_refused', error: `Resend 403 from its edge, not its API (Cloudflare error 1010 means no User-Agent)` };
  return { ok: false, retryable: false, code: name || `http_${status}`, error };
}

/** Maps a 200 answer: `data` holds the accepted emails' ids in order, `errors` the refused ones by index. */
export function classifyResendBatch(body: unknown, count: number): SendResult[] {
  const data = field(body, 'data');
  const errors = field(body, 'errors');
  const refused = new Map<number, string>();
  if (Array.isArray(errors)) {
    for (const e of errors) {
      const index = Number(field(e, 'index'));
      if (Number.isInteger(index)) refused.set(index, stringField(e, 'message') ?? 'refused');
    }
  }
  const ids = Array.isArray(data) ? data.map((d) => stringField(d, 'id')) : [];
  if (ids.length + refused.size !== count || ids.some((id) => !id)) {
    return allFailed(count, {
      ok: false,
      retryable: false,
      code: 'bad_response',
      error: `Resend answered ${ids.length} ids and ${refused.size} errors for ${count} emails`,
    });
  }
  let next = 0;
  return Array.from({ length: count }, (_, i): SendResult => {
    const reason = refused.get(i);
    if (reason !== undefined) return { ok: false, retryable: false, code: 'validation_error', error: `Resend refused the email: ${reason}` };
    return { ok: true, providerMessageId: ids[next++]! };
  });
}

export function createResendTransport(options: ResendTransportOptions): Transport {
  const doFetch = options.fetch ?? defaultFetch;
  const url = `${trimBase(options.apiBase ?? RESEND_API_BASE)}/emails/batch`;
  const timeoutMs = options.timeoutMs ?? DEFAULT_HTTP_TIMEOUT_MS;
  const clock = options.clock ?? (() => new Date());

  async function payload(email: OutgoingEmail) {
    const f = await emailFields(email);
    return {
      from: formatAddress(f.from),
      to: [f.to],
      subject: f.subject,
      ...(f.html ? { html: f.html } : {}),
      ...(f.text ? { text: f.text } : {}),
      ...(f.replyTo ? { reply_to: f.replyTo } : {}),
      headers: f.headers,
    };
  }

  async function sendBatch(emails: readonly OutgoingEmail[]): Promise<SendResult[]> {
    if (emails.length === 0) return [];
    if (emails.length > RESEND_MAX_BATCH) throw new Error(`Resend takes at most ${RESEND_MAX_BATCH} emails a request`);
    const body = JSON.stringify(await Promise.all(emails.map(payload)));
    const answer = await request(
      'Resend',
      doFetch,
      url,
      {
        method: 'POST',
        headers: {
          authorization: `Bearer ${options.apiKey}`,
          'content-type': 'application/json',
          'idempotency-key': `batch/${await sha256Hex(body)}`,
          'x-batch-validation': 'permissive',
        },
        body,
      },
      timeoutMs,
    );
    const results = isFailure(answer)
      ? allFailed(emails.length, answer)
      : answer.status !== 200
        ? allFailed(emails.length, classifyResendError(answer, clock()))
        : classifyResendBatch(answer.body, emails.length);
    return results.map((result, i) => withoutRecipient(result, emails[i]!.to));
  }

  return {
    name: 'resend',
    maxBatchSize: RESEND_MAX_BATCH,
    async send(email) {
      return (await sendBatch([email]))[0]!;
    },
    sendBatch,
  };
}
