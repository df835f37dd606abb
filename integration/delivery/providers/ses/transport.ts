/**
 * Amazon SES v2 `SendEmail` with raw content (the MIME built by `buildMessage`, base64 in
 * `Content.Raw.Data`), signed with SigV4 by aws4fetch; IAM authorises it as `ses:SendRawEmail`.
 * A configuration set names where SES publishes events (bounces, complaints, deliveries → SNS →
 * /api/webhooks/ses). SES replaces our Message-ID with its own; its MessageId is what the
 * notification records and what its events carry (`mail.messageId`).
 *
 * SES has no batch endpoint for raw mail: `sendBatch` sends one request per email, paced
 * at the account's maximum send rate (GetAccount → SendQuota.MaxSendRate, cached), and
 * stops at the first throttle: the rest of the batch comes back retryable without being
 * sent (backing off instead of hammering a throttled account).
 */
import { AwsClient } from 'aws4fetch';
import type { OutgoingEmail, SendResult, Transport } from '../../transport';
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

export type SesTransportOptions = {
  accessKeyId: string;
  secretAccessKey: string;
  region: string;
  configurationSet?: string;
  /** Default `https://email.<region>.amazonaws.com` (SES_ENDPOINT overrides it: tests, VPC endpoints). */
  endpoint?: string;
  fetch?: FetchLike;
  timeoutMs?: number;
  clock?: () => Date;
  /** Waits between sends (tests may speed it up). */
  sleep?: (ms: number) => Promise<void>;
};

export type SesAccountQuota = { maxSendRate: number; max24HourSend: number; sentLast24Hours: number; sendingEnabled: boolean };

/** How long a GetAccount answer is trusted before it is asked again. */
const ACCOUNT_TTL_MS = 5 * 60_000;
/** When GetAccount cannot be read: the sandbox's rate, which every account allows. */
const FALLBACK_SEND_RATE_PER_SECOND = 1;
/** AWS: after a throttle "wait for an interval of up to 10 minutes"; without Retry-After, wait this long. */
const THROTTLE_RETRY_SECONDS = 60;
/** The 24-hour quota is a rolling window: look again in an hour. */
const QUOTA_RETRY_SECONDS = 60 * 60;
const SES_BATCH_SIZE = 50;
/** Send at 90% of MaxSendRate: network jitter must not push two sends into one second on SES's side. */
const RATE_MARGIN = 0.9;

const THROTTLE_TYPES = new Set(['TooManyRequestsException', 'ThrottlingException', 'Throttling']);
const RETRYABLE_TYPES = new Set(['SendingPausedException', 'InternalFailure', 'ServiceUnavailable', 'InternalServerError']);
const AUTH_TYPES = new Set([
  'SignatureDoesNotMatch',
  'InvalidSignatureException',
  'UnrecognizedClientException',
  'InvalidClientTokenId',
  'AccessDeniedException',
  'MissingAuthenticationTokenException',
  'IncompleteSignatureException',
]);

function base64Utf8(text: string): string {
  const bytes = new TextEncoder().encode(text);
  let binary = '';
  for (let i = 0; i < bytes.length; i += 0x8000) binary += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  return btoa(binary);
}

/** The AWS error type: `x-amzn-ErrorType` (`Name:uri`), else `__type` / `code` in the JSON body. */
function errorType(answer: HttpAnswer): string {
  const header = answer.headers.get('x-amzn-errortype');
  const raw = header ?? stringField(answer.body, '__type') ?? stringField(answer.body, 'code') ?? stringField(answer.body, 'Code') ?? '';
  return raw.split(':')[0]!.split('#').pop()!;
}

/** Maps a SendEmail answer to a SendResult (exported for tests). */
export function classifySes(answer: HttpAnswer, now: Date): SendResult {
  const { status, body } = answer;
  if (status >= 200 && status < 300) {
    const id = stringField(body, 'MessageId');
    if (id) return { ok: true, providerMessageId: id };
    return { ok: false, retryable: false, code: 'bad_response', error: `SES answered ${status} without a MessageId` };
  }
  const type = errorType(answer);
  const message = stringField(body, 'message') ?? stringField(body, 'Message') ?? `HTTP ${status}`;
  const error = `SES ${status}${type ? ` ${type}` : ''}: ${message}`;
  const retryAfter = retryAfterOf(answer.headers, now);
  if (/daily message quota exceeded/i.test(message))
    return { ok: false, retryable: true, code: 'daily_quota', error, retryAfterSeconds: retryAfter ?? QUOTA_RETRY_SECONDS };
  if (status === 429 || THROTTLE_TYPES.has(type))
    return { ok: false, retryable: true, code: 'throttled', error, retryAfterSeconds: retryAfter ?? THROTTLE_RETRY_SECONDS };
  if (status >= 500 || RETRYABLE_TYPES.has(type))
    return { ok: false, retryable: true, code: `http_${status}`, error, ...(retryAfter !== undefined ? { retryAfterSeconds: retryAfter } : {}) };
  if (AUTH_TYPES.has(type) || status === 403) {
    // SendEmail with Content.Raw is authorised as ses:SendRawEmail, not ses:SendEmail (docs/providers.md "Amazon SES").
    const hint =
      type === 'AccessDeniedException'
        ? "the key's IAM policy must allow ses:SendRawEmail (raw SendEmail is authorised as that action)"
        : 'check AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY and SES_REGION';
    return { ok: false, retryable: false, code: 'auth', error: `${error} (${hint})` };
  }
  return { ok: false, retryable: false, code: `http_${status}`, error };
}

export type SesTransport = Transport & {
  /** The account's quota, from GetAccount (cached for 5 minutes); undefined when it cannot be read. */
  account(): Promise<SesAccountQuota | undefined>;
};

export function createSesTransport(options: SesTransportOptions): SesTransport {
  const doFetch = options.fetch ?? defaultFetch;
  const endpoint = trimBase(options.endpoint ?? `https://email.${options.region}.amazonaws.com`);
  const timeoutMs = options.timeoutMs ?? DEFAULT_HTTP_TIMEOUT_MS;
  const clock = options.clock ?? (() => new Date());
  const sleep = options.sleep ?? ((ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms)));
  // retries: 0: backing off is the processor's job (its retry schedule honours Retry-After).
  const aws = new AwsClient({ accessKeyId: options.accessKeyId, secretAccessKey: options.secretAccessKey, service: 'ses', region: options.region, retries: 0 });

  let cachedAccount: { quota: SesAccountQuota | undefined; atMs: number } | undefined;
  let nextSlotMs = 0; // pacing: when the next request may start (shared by send and sendBatch)

  async function signedCall(method: 'GET' | 'POST', path: string, body?: unknown): Promise<HttpAnswer | Extract<SendResult, { ok: false }>> {
    const init: RequestInit = { method, headers: { 'content-type': 'application/json', accept: 'application/json' } };
    if (body !== undefined) init.body = JSON.stringify(body);
    const signed = await aws.sign(`${endpoint}${path}`, init);
    return request('SES', (input, extra) => doFetch(input, extra), signed.url, { method, headers: signed.headers, body: init.body }, timeoutMs);
  }

  async function account(): Promise<SesAccountQuota | undefined> {
    if (cachedAccount && Date.now() - cachedAccount.atMs < ACCOUNT_TTL_MS) return cachedAccount.quota;
    const answer = await signedCall('GET', '/v2/email/account');
    let quota: SesAccountQuota | undefined;
    if (!isFailure(answer) && answer.status === 200) {
      const q = field(answer.body, 'SendQuota');
      const rate = Number(field(q, 'MaxSendRate'));
      if (Number.isFinite(rate) && rate > 0) {
        quota = {
          maxSendRate: rate,
          max24HourSend: Number(field(q, 'Max24HourSend') ?? 0),
          sentLast24Hours: Number(field(q, 'SentLast24Hours') ?? 0),
          sendingEnabled: field(answer.body, 'SendingEnabled') !== false,
        };
      }
    }
    cachedAccount = { quota, atMs: Date.now() };
    return quota;
  }

  /** Waits for this send's slot: one start every 1/MaxSendRate seconds. */
  async function paced(intervalMs: number): Promise<void> {
    const now = Date.now();
    const start = Math.max(now, nextSlotMs);
    nextSlotMs = start + intervalMs;
    if (start > now) await sleep(start - now);
  }

  async function sendOne(email: OutgoingEmail): Promise<SendResult> {
    const answer = await signedCall('POST', '/v2/email/outbound-emails', {
      Destination: { ToAddresses: [email.to] },
      Content: { Raw: { Data: base64Utf8(email.raw) } },
      ...(options.configurationSet ? { ConfigurationSetName: options.configurationSet } : {}),
    });
    return withoutRecipient(isFailure(answer) ? answer : classifySes(answer, clock()), email.to);
  }

  async function sendBatch(emails: readonly OutgoingEmail[]): Promise<SendResult[]> {
    const quota = await account();
    if (quota && !quota.sendingEnabled) {
      return allFailed(emails.length, {
        ok: false,
        retryable: true,
        code: 'sending_paused',
        error: 'SES sending is paused for this account (GetAccount SendingEnabled=false)',
        retryAfterSeconds: QUOTA_RETRY_SECONDS,
      });
    }
    const intervalMs = Math.ceil(1000 / ((quota?.maxSendRate ?? FALLBACK_SEND_RATE_PER_SECOND) * RATE_MARGIN));
    let remainingToday = quota && quota.max24HourSend > 0 ? quota.max24HourSend - quota.sentLast24Hours : Infinity;
    const results = new Array<SendResult>(emails.length);
    let stop: Extract<SendResult, { ok: false }> | undefined;
    const inFlight: Promise<void>[] = [];
    for (let i = 0; i < emails.length; i++) {
      if (remainingToday <= 0)
        stop ??= {
          ok: false,
          retryable: true,
          code: 'daily_quota',
          error: 'SES 24-hour sending quota used up (GetAccount)',
          retryAfterSeconds: QUOTA_RETRY_SECONDS,
        };
      if (!stop) await paced(intervalMs);
      if (stop) {
        results[i] = { ...stop, error: `not sent: ${stop.error}` };
        continue;
      }
      remainingToday -= 1;
      inFlight.push(
        sendOne(emails[i]!).then((result) => {
          results[i] = result;
          if (!result.ok && (result.code === 'throttled' || result.code === 'daily_quota')) stop ??= result;
        }),
      );
    }
    await Promise.all(inFlight);
    if (cachedAccount?.quota) cachedAccount.quota.sentLast24Hours += results.filter((r) => r.ok).length;
    return results;
  }

  return {
    name: 'ses',
    maxBatchSize: SES_BATCH_SIZE,
    account,
    async send(email) {
      return (await sendBatch([email]))[0]!;
    },
    sendBatch,
  };
}
