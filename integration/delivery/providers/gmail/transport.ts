/**
 * The production transport: Gmail API `users.messages.send` with an OAuth2
 * refresh token. The access token is cached until
 * shortly before it expires; a 401 refreshes it once and retries once.
 * 429, 5xx, timeouts and network errors are retryable; other 4xx are permanent.
 */
import { safeErrorText } from '../../../../db/safe-error';
import type { OutgoingEmail, SendResult, Transport } from '../../transport';
import { base64Url, GOOGLE_TOKEN_URL, OAuthError, parseRetryAfter, refreshAccessToken } from './google-oauth';

type Clock = { now(): Date };

export type GmailTransportOptions = {
  clientId: string;
  clientSecret: string;
  refreshToken: string;
  fetch?: typeof fetch;
  tokenUrl?: string;
  apiBase?: string;
  /** The whole send (token refresh, the request, a 401 retry) must finish within this. */
  timeoutMs?: number;
  /** `{ now }` or a bare `() => Date` (the processor's clock shape). */
  clock?: Clock | (() => Date);
};

type GmailTransport = Transport & {
  /** Forget the cached access token (tests, credential rotation). */
  resetToken(): void;
};

/** Refresh this long before Google's expiry, so a token never expires in flight. */
const TOKEN_EXPIRY_MARGIN_SECONDS = 60;
const DEFAULT_TIMEOUT_MS = 15_000;
/** 403 reasons that the Gmail error guide says to retry with backoff (quota, not permission). */
const RETRYABLE_403_REASONS = new Set(['rateLimitExceeded', 'userRateLimitExceeded', 'dailyLimitExceeded', 'quotaExceeded']);

type ApiAnswer = { status: number; headers: Headers; body: Record<string, unknown> | undefined };

type GoogleError = { message?: string; status?: string; errors?: Array<{ reason?: string; message?: string }> };

export function createGmailTransport(options: GmailTransportOptions): GmailTransport {
  const doFetch = options.fetch ?? ((input, init) => fetch(input, init));
  const tokenUrl = options.tokenUrl ?? GOOGLE_TOKEN_URL;
  const sendUrl = `${(options.apiBase ?? 'https://gmail.googleapis.com').replace(/\/+$/, '')}/gmail/v1/users/me/messages/send`;
  const timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  const given = options.clock;
  const clock: Clock = typeof given === 'function' ? { now: given } : (given ?? { now: () => new Date() });

  let cached: { token: string; expiresAtMs: number } | undefined;
  let inflight: Promise<string> | undefined;

  function accessToken(signal: AbortSignal): Promise<string> {
    if (cached && clock.now().getTime() < cached.expiresAtMs) return Promise.resolve(cached.token);
    // Concurrent sends share one refresh.
    inflight ??= refreshAccessToken(options, { tokenUrl, fetch: doFetch, signal, now: () => clock.now() })
      .then((answer) => {
        const lifetimeSeconds = Math.max(0, answer.expires_in - TOKEN_EXPIRY_MARGIN_SECONDS);
        cached = { token: answer.access_token, expiresAtMs: clock.now().getTime() + lifetimeSeconds * 1000 };
        return answer.access_token;
      })
      .finally(() => {
        inflight = undefined;
      });
    return inflight;
  }

  async function post(token: string, raw: string, signal: AbortSignal): Promise<ApiAnswer> {
    const response = await doFetch(sendUrl, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json', accept: 'application/json' },
      body: JSON.stringify({ raw: base64Url(raw) }),
      signal,
    });
    const text = await response.text();
    let body: Record<string, unknown> | undefined;
    try {
      body = JSON.parse(text) as Record<string, unknown>;
    } catch {
      body = undefined; // an HTML error page from a proxy: classified by status alone
    }
    return { status: response.status, headers: response.headers, body };
  }

  async function sendOnce(email: OutgoingEmail, signal: AbortSignal): Promise<SendResult> {
    let answer = await post(await accessToken(signal), email.raw, signal);
    if (answer.status === 401) {
      cached = undefined; // expired or revoked early: refresh once, retry once
      answer = await post(await accessToken(signal), email.raw, signal);
    }
    return classify(answer, clock.now());
  }

  return {
    name: 'gmail',
    resetToken() {
      cached = undefined;
    },
    async send(email) {
      const controller = new AbortController();
      const timer = setTimeout(() => controller.abort(), timeoutMs);
      try {
        return await sendOnce(email, controller.signal);
      } catch (error) {
        if (error instanceof OAuthError) {
          return { ok: false, retryable: error.retryable, code: error.code, error: safeErrorText(error), retryAfterSeconds: error.retryAfterSeconds };
        }
        if (controller.signal.aborted) {
          return { ok: false, retryable: true, code: 'timeout', error: `Gmail API did not answer within ${timeoutMs} ms` };
        }
        return { ok: false, retryable: true, code: 'network', error: `Gmail API unreachable (${safeErrorText(error)})` };
      } finally {
        clearTimeout(timer);
      }
    },
  };
}

/** Maps a Gmail API answer to a SendResult. */
function classify(answer: ApiAnswer, now: Date): SendResult {
  const { status, body } = answer;
  if (status >= 200 && status < 300) {
    if (typeof body?.id === 'string' && body.id !== '') return { ok: true, providerMessageId: body.id };
    // Google accepted it but said nothing usable: do not retry (it may have gone out).
    return { ok: false, retryable: false, code: 'bad_response', error: `Gmail API answered ${status} without a message id` };
  }
  const googleError = (body?.error ?? {}) as GoogleError;
  // Google's message may quote the request (the raw email): keep only a safe first line.
  const message = safeErrorText(googleError.message ?? `HTTP ${status}`);
  const reasons = (googleError.errors ?? []).map((e) => e.reason).filter((r): r is string => typeof r === 'string');
  const quota403 = status === 403 && reasons.some((r) => RETRYABLE_403_REASONS.has(r));
  const retryable = status === 429 || status >= 500 || quota403;
  const retryAfterSeconds = retryable ? parseRetryAfter(answer.headers.get('retry-after'), now) : undefined;
  return {
    ok: false,
    retryable,
    code: `http_${status}`,
    error: `Gmail API ${status}${reasons.length ? ` (${reasons.join(', ')})` : ''}: ${message}`,
    ...(retryAfterSeconds !== undefined ? { retryAfterSeconds } : {}),
  };
}
