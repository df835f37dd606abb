/**
 * Our own copy of Astro's `security.checkOrigin` (turned off in astro.config.mjs), because
 * RFC 8058 one-click POSTs come from mail providers with no matching Origin. Same rule as
 * Astro: an unsafe method whose Origin is not ours is refused when it carries a form-like
 * content type or none at all. Routes are exempt, never headers: browsers attach cached
 * Basic credentials (an Authorization header) to cross-site form posts, so a header says
 * nothing about who made the request. Exempt: the one-click path (its token is the proof)
 * and the process route (its own constant-time bearer check is the proof).
 */

export const ONE_CLICK_PATH = '/api/unsubscribe/one-click';
export const PROCESS_PATH = '/api/notifications/process';
const EXEMPT_PATHS = new Set([ONE_CLICK_PATH, PROCESS_PATH]);

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);
const FORM_CONTENT_TYPES = ['application/x-www-form-urlencoded', 'multipart/form-data', 'text/plain'];

function isFormLikeContentType(contentType: string | null): boolean {
  if (!contentType) return false;
  const lower = contentType.toLowerCase();
  return FORM_CONTENT_TYPES.some((t) => lower.includes(t));
}

export function isForbiddenCrossOrigin(request: Request, url: URL = new URL(request.url)): boolean {
  if (SAFE_METHODS.has(request.method)) return false;
  if (EXEMPT_PATHS.has(url.pathname)) return false;
  if (request.headers.get('origin') === url.origin) return false;
  const contentType = request.headers.get('content-type');
  return contentType === null || isFormLikeContentType(contentType);
}

export function crossOriginForbiddenResponse(): Response {
  return new Response('Cross-site form submissions are forbidden.\n', {
    status: 403,
    headers: { 'content-type': 'text/plain; charset=utf-8' },
  });
}
