/**
 * What the HTTP transports (SES, Postmark, Resend) share: one request under a timeout,
 * the JSON body read defensively (a proxy's HTML error page is classified by status alone),
 * and network failures turned into retryable SendResults.
 */
import type { SendResult } from '../transport';
import { parseRetryAfter } from './gmail/google-oauth';

export { parseRetryAfter };

export const DEFAULT_HTTP_TIMEOUT_MS = 15_000;

/**
 * Every provider request names us. The Workers runtime adds no User-Agent (Node's fetch adds
 * `node`), and Resend refuses a request without one: 403, Cloudflare error 1010
 * (https://resend.com/docs/api-reference/introduction#user-agent).
 */
export const USER_AGENT = 'astro-d1-notify (+https://www.npmjs.com/package/astro-d1-notify)';

/** The request's headers with our User-Agent unless the caller set one (SigV4 never signs it). */
export function withUserAgent(headers: HeadersInit | undefined): Headers {
  const out = new Headers(headers);
  if (!out.get('user-agent')) out.set('user-agent', USER_AGENT);
  return out;
}

export type HttpAnswer = { status: number; headers: Headers; body: unknown };

export type FetchLike = (input: string | Request, init?: RequestInit) => Promise<Response>;

export const defaultFetch: FetchLike = (input, init) => fetch(input, init);

/** Strips trailing slashes so `${base}/path` never doubles one. */
export const trimBase = (base: string): string => base.replace(/\/+$/, '');

/** Runs one request; a timeout or a network error becomes a retryable SendResult (no secrets in it). */
export async function request(
  provider: string,
  doFetch: FetchLike,
  url: string,
  init: RequestInit,
  timeoutMs: number,
): Promise<HttpAnswer | Extract<SendResult, { ok: false }>> {
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(), timeoutMs);
  try {
    const response = await doFetch(url, { ...init, headers: withUserAgent(init.headers), signal: controller.signal });
    const text = await response.text();
    let body: unknown;
    try {
      body = text === '' ? undefined : JSON.parse(text);
    } catch {
      body = undefined;
    }
    return { status: response.status, headers: response.headers, body };
  } catch (error) {
    if (controller.signal.aborted) return { ok: false, retryable: true, code: 'timeout', error: `${provider} did not answer within ${timeoutMs} ms` };
    const reason = error instanceof Error ? error.message : String(error);
    return { ok: false, retryable: true, code: 'network', error: `${provider} unreachable (${reason})` };
  } finally {
    clearTimeout(timer);
  }
}

export const isFailure = (value: HttpAnswer | SendResult): value is Extract<SendResult, { ok: false }> => 'ok' in value;

/** A string field of a JSON object, if present. */
export const field = (body: unknown, name: string): unknown =>
  body !== null && typeof body === 'object' ? (body as Record<string, unknown>)[name] : undefined;

export const stringField = (body: unknown, name: string): string | undefined => {
  const value = field(body, name);
  return typeof value === 'string' ? value : undefined;
};

/** Every email of a batch gets the same failure (a request-level error). */
export const allFailed = (count: number, failure: SendResult): SendResult[] => Array.from({ length: count }, () => failure);

/** Retry-After from the headers (seconds or HTTP date); undefined when absent. */
export const retryAfterOf = (headers: Headers, now: Date): number | undefined => parseRetryAfter(headers.get('retry-after'), now);

/** Seconds until the next UTC midnight: when a provider's daily quota refills. */
export const secondsToUtcMidnight = (now: Date): number => {
  const next = Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate() + 1);
  return Math.max(1, Math.ceil((next - now.getTime()) / 1000));
};

/**
 * Providers quote the recipient in their errors ("Found inactive addresses: …"); history
 * already names the reader, so the address is replaced rather than copied into `details`.
 */
export function withoutRecipient(result: SendResult, to: string): SendResult {
  if (result.ok || to === '' || !result.error.toLowerCase().includes(to.toLowerCase())) return result;
  const pattern = new RegExp(to.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'), 'gi');
  return { ...result, error: result.error.replace(pattern, '<recipient>') };
}
