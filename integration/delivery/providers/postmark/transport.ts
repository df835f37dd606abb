/**
 * Postmark: `POST /email/batch` (up to 500 messages a request, one Worker subrequest) on a
 * message stream: `broadcast` for bulk mail, the transactional stream (`outbound`) for
 * verification mail, as Google's sender guidelines ask. Each message of a batch answers
 * with its own ErrorCode (0 = accepted); 406 "inactive recipient" means Postmark has the
 * address on its suppression list (hard bounce, spam complaint, unsubscribe).
 */
import { RECIPIENT_SUPPRESSED, type OutgoingEmail, type SendResult, type Transport } from '../../transport';
import {
  allFailed,
  DEFAULT_HTTP_TIMEOUT_MS,
  defaultFetch,
  field,
  isFailure,
  request,
  retryAfterOf,
  stringField,
  trimBase,
  withoutRecipient,
  type FetchLike,
  type HttpAnswer,
} from '../http';
import { emailFields, formatAddress } from '../mime-fields';

export const POSTMARK_API_BASE = 'https://api.postmarkapp.com';
export const POSTMARK_MAX_BATCH = 500;

export type PostmarkTransportOptions = {
  serverToken: string;
  /** `broadcast` (bulk) or `outbound` (transactional), or a stream you created. */
  messageStream: string;
  apiBase?: string;
  fetch?: FetchLike;
  timeoutMs?: number;
  clock?: () => Date;
};

/** When Postmark's account is out of credits or in maintenance: look again in an hour. */
const ACCOUNT_RETRY_SECONDS = 60 * 60;

/**
 * Postmark's API ErrorCode table (postmarkapp.com/developer/api/overview#error-codes):
 * what each means for this email. Codes not listed are permanent.
 */
const ERROR_CODES: Record<number, { code: string; retryable: boolean; retryAfterSeconds?: number }> = {
  10: { code: 'auth', retryable: false }, // bad or missing server token
  100: { code: 'maintenance', retryable: true, retryAfterSeconds: ACCOUNT_RETRY_SECONDS },
  300: { code: 'invalid_email', retryable: false }, // invalid email request (address, fields)
  400: { code: 'sender_signature', retryable: false }, // sender signature not found
  401: { code: 'sender_signature', retryable: false }, // sender signature not confirmed
  402: { code: 'invalid_request', retryable: false }, // invalid JSON
  403: { code: 'invalid_request', retryable: false }, // incompatible JSON
  405: { code: 'not_allowed_to_send', retryable: true, retryAfterSeconds: ACCOUNT_RETRY_SECONDS }, // out of credits
  406: { code: RECIPIENT_SUPPRESSED, retryable: false }, // inactive recipient: hard bounce / complaint / unsubscribe
  409: { code: 'invalid_request', retryable: false }, // JSON required
  410: { code: 'invalid_request', retryable: false }, // too many batch messages
  411: { code: 'invalid_request', retryable: false }, // forbidden attachment type
  412: { code: 'account_pending', retryable: false }, // account pending approval: only its own domain
  413: { code: 'account_may_not_send', retryable: false },
  429: { code: 'throttled', retryable: true },
};

function byErrorCode(errorCode: number, message: string, retryAfter?: number): Extract<SendResult, { ok: false }> {
  const known = ERROR_CODES[errorCode] ?? { code: `postmark_${errorCode}`, retryable: false };
  const wait = retryAfter ?? known.retryAfterSeconds;
  return {
    ok: false,
    retryable: known.retryable,
    code: known.code,
    error: `Postmark ErrorCode ${errorCode}: ${message}`,
    ...(known.retryable && wait !== undefined ? { retryAfterSeconds: wait } : {}),
  };
}

/** Maps one `/email/batch` answer to a result per email (exported for tests). */
export function classifyPostmark(answer: HttpAnswer, count: number, now: Date): SendResult[] {
  const { status, body } = answer;
  const retryAfter = retryAfterOf(answer.headers, now);
  if (status === 200 && Array.isArray(body)) {
    if (body.length !== count) {
      return allFailed(count, { ok: false, retryable: false, code: 'bad_response', error: `Postmark answered ${body.length} results for ${count} messages` });
    }
    return body.map((item): SendResult => {
      const errorCode = Number(field(item, 'ErrorCode'));
      const id = stringField(item, 'MessageID');
      if (errorCode === 0 && id) return { ok: true, providerMessageId: id };
      return byErrorCode(Number.isFinite(errorCode) ? errorCode : -1, stringField(item, 'Message') ?? 'no message');
    });
  }
  // The whole request failed: 401 (token), 422 (ErrorCode in the body), 429, 5xx.
  const errorCode = Number(field(body, 'ErrorCode'));
  const message = stringField(body, 'Message') ?? `HTTP ${status}`;
  if (status === 429)
    return allFailed(count, {
      ok: false,
      retryable: true,
      code: 'throttled',
      error: `Postmark 429: ${message}`,
      ...(retryAfter !== undefined ? { retryAfterSeconds: retryAfter } : {}),
    });
  if (status >= 500)
    return allFailed(count, {
      ok: false,
      retryable: true,
      code: `http_${status}`,
      error: `Postmark ${status}: ${message}`,
      ...(retryAfter !== undefined ? { retryAfterSeconds: retryAfter } : {}),
    });
  if (status === 401) return allFailed(count, { ok: false, retryable: false, code: 'auth', error: `Postmark 401: ${message} (check POSTMARK_SERVER_TOKEN)` });
  if (Number.isFinite(errorCode) && field(body, 'ErrorCode') !== undefined) return allFailed(count, byErrorCode(errorCode, message, retryAfter));
  return allFailed(count, { ok: false, retryable: false, code: `http_${status}`, error: `Postmark ${status}: ${message}` });
}

export function createPostmarkTransport(options: PostmarkTransportOptions): Transport {
  const doFetch = options.fetch ?? defaultFetch;
  const url = `${trimBase(options.apiBase ?? POSTMARK_API_BASE)}/email/batch`;
  const timeoutMs = options.timeoutMs ?? DEFAULT_HTTP_TIMEOUT_MS;
  const clock = options.clock ?? (() => new Date());

  async function message(email: OutgoingEmail) {
    const f = await emailFields(email);
    return {
      From: formatAddress(f.from),
      To: f.to,
      Subject: f.subject,
      ...(f.html ? { HtmlBody: f.html } : {}),
      ...(f.text ? { TextBody: f.text } : {}),
      ...(f.replyTo ? { ReplyTo: f.replyTo } : {}),
      // Our own Message-ID keeps digests and retries foldable; the list headers keep one-click unsubscribe.
      Headers: [{ Name: 'Message-ID', Value: f.messageIdHeader }, ...Object.entries(f.headers).map(([Name, Value]) => ({ Name, Value }))],
      MessageStream: options.messageStream,
    };
  }

  async function sendBatch(emails: readonly OutgoingEmail[]): Promise<SendResult[]> {
    if (emails.length === 0) return [];
    if (emails.length > POSTMARK_MAX_BATCH) throw new Error(`Postmark takes at most ${POSTMARK_MAX_BATCH} messages a request`);
    const body = JSON.stringify(await Promise.all(emails.map(message)));
    const answer = await request(
      'Postmark',
      doFetch,
      url,
      { method: 'POST', headers: { accept: 'application/json', 'content-type': 'application/json', 'x-postmark-server-token': options.serverToken }, body },
      timeoutMs,
    );
    const results = isFailure(answer) ? allFailed(emails.length, answer) : classifyPostmark(answer, emails.length, clock());
    return results.map((result, i) => withoutRecipient(result, emails[i]!.to));
  }

  return {
    name: 'postmark',
    maxBatchSize: POSTMARK_MAX_BATCH,
    async send(email) {
      return (await sendBatch([email]))[0]!;
    },
    sendBatch,
  };
}
