/**
 * Our own copy of Astro's `security.checkOrigin` (turned off by the integration), because
 * RFC 8058 one-click POSTs come from mail providers with no matching Origin. Same rule as
 * Astro: an unsafe method whose Origin is not ours is refused when it carries a form-like
 * content type or none at all. Routes are exempt, never headers: browsers attach cached
 * Basic credentials (an Authorization header) to cross-site form posts, so a header says
 * nothing about who made the request. Exempt: the one-click path (its token is the proof),
 * the process route (its own constant-time bearer check) and the provider webhooks (each
 * authenticates its provider: signature or basic auth; SES via SNS posts JSON as text/plain).
 */

import { WEBHOOK_PATHS } from '../delivery/providers/registry';

export { WEBHOOK_PATHS };

export const ONE_CLICK_PATH = '/api/unsubscribe/one-click';
export const PROCESS_PATH = '/api/notifications/process';
const EXEMPT_PATHS = [ONE_CLICK_PATH, PROCESS_PATH, ...WEBHOOK_PATHS];

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);
const FORM_CONTENT_TYPES = ['application/x-www-form-urlencoded', 'multipart/form-data', 'text/plain'];

function isFormLikeContentType(contentType: string | null): boolean {
  if (!contentType) return false;
  const lower = contentType.toLowerCase();
  return FORM_CONTENT_TYPES.some((t) => lower.includes(t));
}

/** `routeBase` is Astro's `base` plus the integration's `prefix`, where the exempt routes are mounted. */
export function isForbiddenCrossOrigin(request: Request, url: URL = new URL(request.url), routeBase = ''): boolean {
  if (SAFE_METHODS.has(request.method)) return false;
  if (EXEMPT_PATHS.some((path) => url.pathname === routeBase + path)) return false;
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
