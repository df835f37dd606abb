/**
 * A stand-in for Resend's API on 127.0.0.1:
 *  - POST /emails/batch   (up to 100 emails; `x-batch-validation: strict | permissive`)
 * It checks the bearer API key (401 missing_api_key, 403 invalid_api_key), enforces the
 * team's requests-per-second limit (429 rate_limit_exceeded with retry-after and the
 * ratelimit-* headers) and a daily quota (429 daily_quota_exceeded), honours
 * `Idempotency-Key` (the same key and payload answer the first result again without
 * sending; the same key with another payload is 409 invalid_idempotent_request), and
 * validates each email (verified sender domain, `to` address) strictly or permissively.
 * Like Resend's edge, it refuses a request without a User-Agent before the API sees it: 403 with
 * Cloudflare's plain-text "error code: 1010" (https://resend.com/docs/api-reference/introduction#user-agent,
 * https://resend.com/docs/knowledge-base/403-error-1010). Node's fetch adds `node` on its own, so
 * tests that stand for workerd (which adds none) send through `workerdLikeFetch` below.
 */
import { createHash, randomUUID } from 'node:crypto';
import type { ServerResponse } from 'node:http';
import { json, startServer } from './standin-server';

export type ResendEmail = { from: string; to: string[]; subject: string; html?: string; text?: string; headers?: Record<string, string>; [k: string]: unknown };

export type ResendStandin = {
  url: string;
  apiKey: string;
  accepted: (ResendEmail & { id: string })[];
  batchRequests: number;
  idempotencyKeys: string[];
  /** Requests refused at the edge for having no User-Agent. */
  refusedWithoutUserAgent: number;
  requestsPerSecond: number;
  dailyQuota: number;
  reset(): void;
  close(): Promise<void>;
};

const error = (res: ServerResponse, statusCode: number, name: string, message: string, headers: Record<string, string> = {}) =>
  json(res, statusCode, { statusCode, name, message }, headers);

const EMAIL = /^(?:[^<>]*<)?[^@\s<>]+@[^@\s<>]+\.[^@\s<>]+>?$/;

export async function startResendStandin(options: { senderDomain?: string; requestsPerSecond?: number; dailyQuota?: number } = {}): Promise<ResendStandin> {
  const apiKey = `re_${randomUUID().replace(/-/g, '')}`;
  const senderDomain = options.senderDomain ?? 'blog.example.com';
  const limits = { requestsPerSecond: options.requestsPerSecond ?? 5, dailyQuota: options.dailyQuota ?? 0 };
  let state = {
    accepted: [] as ResendStandin['accepted'],
    batchRequests: 0,
    idempotencyKeys: [] as string[],
    times: [] as number[],
    refusedWithoutUserAgent: 0,
  };
  let remembered = new Map<string, { payloadHash: string; status: number; body: unknown }>();

  const server = await startServer((req, res, body) => {
    if (!req.headers['user-agent']) {
      state.refusedWithoutUserAgent += 1;
      res.writeHead(403, { 'content-type': 'text/plain; charset=UTF-8' });
      res.end('error code: 1010');
      return;
    }
    const path = new URL(req.url ?? '/', 'http://stand-in').pathname;
    if (req.method !== 'POST' || path !== '/emails/batch') return error(res, 404, 'not_found', 'The requested endpoint does not exist.');
    state.batchRequests += 1;
    const auth = req.headers.authorization;
    if (!auth)
      return error(
        res,
        401,
        'missing_api_key',
        'Missing API key in the authorization header. Include the following header Authorization: Bearer YOUR_API_KEY in the request.',
      );
    if (auth !== `Bearer ${apiKey}`) return error(res, 403, 'invalid_api_key', 'API key is invalid');

    const now = Date.now();
    state.times = state.times.filter((t) => now - t < 1000);
    const rate = { 'ratelimit-limit': String(limits.requestsPerSecond), 'ratelimit-reset': '1' };
    if (state.times.length >= limits.requestsPerSecond) {
      return error(
        res,
        429,
        'rate_limit_exceeded',
        `Too many requests. You can only make ${limits.requestsPerSecond} requests per second. See rate limit response headers for more information. Or contact support to increase rate limit.`,
        { ...rate, 'ratelimit-remaining': '0', 'retry-after': '1' },
      );
    }
    state.times.push(now);
    const headers = { ...rate, 'ratelimit-remaining': String(limits.requestsPerSecond - state.times.length) };

    const key = req.headers['idempotency-key'];
    const payloadHash = createHash('sha256').update(body).digest('hex');
    if (typeof key === 'string') {
      if (key.length === 0 || key.length > 256) return error(res, 400, 'invalid_idempotency_key', 'The key must be between 1-256 chars.');
      state.idempotencyKeys.push(key);
      const seen = remembered.get(key);
      if (seen && seen.payloadHash !== payloadHash)
        return error(
          res,
          409,
          'invalid_idempotent_request',
          'Same idempotency key used with a different request payload. Change your idempotency key or payload.',
        );
      if (seen) return json(res, seen.status, seen.body, headers);
    }
    const answer = (status: number, answerBody: unknown) => {
      if (typeof key === 'string' && status === 200) remembered.set(key, { payloadHash, status, body: answerBody });
      return json(res, status, answerBody, headers);
    };

    let emails: unknown;
    try {
      emails = JSON.parse(body);
    } catch {
      return error(res, 400, 'invalid_request', 'Invalid JSON body.');
    }
    if (!Array.isArray(emails) || emails.length === 0) return error(res, 422, 'validation_error', 'The request body must be a non-empty array of emails.');
    if (emails.length > 100) return error(res, 422, 'validation_error', 'Too many emails in the batch: the maximum is 100.');
    if (limits.dailyQuota > 0 && state.accepted.length + emails.length > limits.dailyQuota) {
      return error(res, 429, 'daily_quota_exceeded', 'You have reached your daily email sending quota.');
    }
    const permissive = req.headers['x-batch-validation'] === 'permissive';
    const problems: { index: number; message: string }[] = [];
    (emails as ResendEmail[]).forEach((e, index) => {
      const fromAddress = /<([^<>]+)>\s*$/.exec(String(e.from ?? ''))?.[1] ?? String(e.from ?? '');
      if (!fromAddress.endsWith(`@${senderDomain}`))
        problems.push({
          index,
          message: `The ${fromAddress.split('@')[1]} domain is not verified. Please, add and verify your domain on https://resend.com/domains`,
        });
      else if (!Array.isArray(e.to) || e.to.length === 0 || e.to.some((t) => !EMAIL.test(String(t))))
        problems.push({
          index,
          message: 'Invalid `to` field. The email address needs to follow the `email@example.com` or `Name <email@example.com>` format.',
        });
      else if (!e.subject) problems.push({ index, message: 'Missing `subject` field.' });
      else if (e.headers !== undefined && (typeof e.headers !== 'object' || Object.values(e.headers).some((v) => typeof v !== 'string')))
        problems.push({ index, message: 'Invalid `headers` field.' });
    });
    if (!permissive && problems.length > 0) return error(res, 422, 'validation_error', problems[0]!.message);
    const refused = new Set(problems.map((p) => p.index));
    const data = (emails as ResendEmail[]).flatMap((e, i) => {
      if (refused.has(i)) return [];
      const id = randomUUID();
      state.accepted.push({ ...e, id });
      return [{ id }];
    });
    return answer(200, permissive ? { data, errors: problems } : { data });
  });

  return {
    url: server.url,
    apiKey,
    get accepted() {
      return state.accepted;
    },
    get batchRequests() {
      return state.batchRequests;
    },
    get idempotencyKeys() {
      return state.idempotencyKeys;
    },
    get refusedWithoutUserAgent() {
      return state.refusedWithoutUserAgent;
    },
    get requestsPerSecond() {
      return limits.requestsPerSecond;
    },
    set requestsPerSecond(v: number) {
      limits.requestsPerSecond = v;
    },
    get dailyQuota() {
      return limits.dailyQuota;
    },
    set dailyQuota(v: number) {
      limits.dailyQuota = v;
    },
    reset() {
      state = { accepted: [], batchRequests: 0, idempotencyKeys: [], times: [], refusedWithoutUserAgent: 0 };
      remembered = new Map();
    },
    close: server.close,
  } as ResendStandin;
}
