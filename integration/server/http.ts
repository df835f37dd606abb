/** Small HTTP helpers shared by the reader handlers. */

export type RequestMeta = { ipAddress: string | null; userAgent: string | null };

const MAX_USER_AGENT = 512;

/** The client's IP (Cloudflare sets CF-Connecting-IP) and user agent, for rate limits and history. */
export function requestMeta(request: Request): RequestMeta {
  const ip = request.headers.get('cf-connecting-ip') ?? request.headers.get('x-real-ip');
  const ua = request.headers.get('user-agent');
  return { ipAddress: ip?.slice(0, 64) ?? null, userAgent: ua ? ua.slice(0, MAX_USER_AGENT) : null };
}

export function json(body: unknown, status = 200, headers: HeadersInit = {}): Response {
  return new Response(JSON.stringify(body), {
    status,
    headers: { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store', ...headers },
  });
}

export type FieldErrors = Record<string, string>;

export const validationError = (errors: FieldErrors): Response =>
  json({ error: 'invalid_input', fields: Object.entries(errors).map(([field, reason]) => ({ field, reason })) }, 400);

export const tooManyRequests = (retryAfterSeconds: number): Response =>
  json({ error: 'rate_limited', reason: `Too many attempts. Try again in ${Math.ceil(retryAfterSeconds / 60)} minute(s).`, retryAfterSeconds }, 429, {
    'retry-after': String(retryAfterSeconds),
  });
