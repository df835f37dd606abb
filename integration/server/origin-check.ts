/**
 * Astro's `security.checkOrigin` rule, applied by the integration's middleware because Astro 7
 * has no per-route opt-out (its check runs before any middleware, for every on-demand route):
 * RFC 8058 one-click POSTs come from mail providers with no matching Origin. So the integration
 * switches Astro's own check off and applies the same rule here, following the host's setting:
 * - the integration's routes are always checked, except the ones below;
 * - the host's on-demand routes are checked exactly when the host's `security.checkOrigin` is on
 *   (Astro's default), except the paths the host lists in the `originCheckExempt` option.
 * Same rule as Astro: an unsafe method whose Origin is not ours is refused when it carries a
 * form-like content type or none at all. Routes are exempt, never headers: browsers attach cached
 * Basic credentials (an Authorization header) to cross-site form posts, so a header says nothing
 * about who made the request. Exempt: the one-click path (its token is the proof), the process
 * route (its own constant-time bearer check) and the provider webhooks (each authenticates its
 * provider: signature or basic auth; SES via SNS posts JSON as text/plain).
 */

import { WEBHOOK_PATHS } from '../delivery/providers/registry';
import { drainRequestBody } from './drain';

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

/** A host's exemption: an exact path, or `/path/*` for everything below `/path/`. */
export function matchesExemptPath(pathname: string, pattern: string): boolean {
  if (pattern.endsWith('/*')) return pathname.startsWith(pattern.slice(0, -1));
  return pathname === pattern;
}

export type OriginPolicy = {
  /** The host's `security.checkOrigin` as it set it (Astro's default: true). */
  hostCheckOrigin: boolean;
  /** The host's own paths that take cross-site POSTs (the `originCheckExempt` option). */
  hostExempt: readonly string[];
};

/** Whether the rule applies to this request: always on our routes; on the host's, as the host set it. */
export function originCheckApplies(pathname: string, ownRoute: boolean, policy: OriginPolicy): boolean {
  if (ownRoute) return true;
  return policy.hostCheckOrigin && !policy.hostExempt.some((pattern) => matchesExemptPath(pathname, pattern));
}

/** The 403 of Astro's check, after draining the body (server/drain.ts says why). */
export async function refuseCrossOrigin(request: Request): Promise<Response> {
  await drainRequestBody(request);
  return crossOriginForbiddenResponse(request);
}

/** The answer Astro's own check gives, so a host sees no difference. */
export function crossOriginForbiddenResponse(request: Request): Response {
  return new Response(`Cross-site ${request.method} form submissions are forbidden`, { status: 403 });
}
