/**
 * Our own copy of Astro's `security.checkOrigin` (turned off in astro.config.mjs), because
 * RFC 8058 one-click POSTs come from mail providers with no matching Origin. Same rule as
 * Astro: an unsafe method whose Origin is not ours is refused when it carries a form-like
 * content type or none at all. The one-click path and the provider webhooks are exempt. A request with an Authorization
 * header (e.g. an outside scheduler calling POST /api/notifications/process with a bearer
 * token) is not a cross-site form either: browsers cannot add that header without a CORS
 * preflight, which this site never grants.
 */

export const ONE_CLICK_PATH = '/api/unsubscribe/one-click';
/**
 * Provider webhooks (SES via SNS posts JSON as text/plain, with no Origin): each route
 * authenticates the provider itself (signature or basic auth), so the Origin rule does not apply.
 */
export const WEBHOOK_PATHS: ReadonlySet<string> = new Set(['/api/webhooks/ses', '/api/webhooks/postmark', '/api/webhooks/resend']);

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);
const FORM_CONTENT_TYPES = ['application/x-www-form-urlencoded', 'multipart/form-data', 'text/plain'];

export function isFormLikeContentType(contentType: string | null): boolean {
  if (!contentType) return false;
  const lower = contentType.toLowerCase();
  return FORM_CONTENT_TYPES.some((t) => lower.includes(t));
}

export function isForbiddenCrossOrigin(request: Request, url: URL = new URL(request.url)): boolean {
  if (SAFE_METHODS.has(request.method)) return false;
  if (url.pathname === ONE_CLICK_PATH) return false;
  if (WEBHOOK_PATHS.has(url.pathname)) return false;
  if (request.headers.get('origin') === url.origin) return false;
  if (request.headers.has('authorization')) return false;
  const contentType = request.headers.get('content-type');
  return contentType === null || isFormLikeContentType(contentType);
}

export function crossOriginForbiddenResponse(): Response {
  return new Response('Cross-site form submissions are forbidden.\n', {
    status: 403,
    headers: { 'content-type': 'text/plain; charset=utf-8' },
  });
}
