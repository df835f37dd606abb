/**
 * Runs before every on-demand route, the host's included, and touches the host's only for CSRF:
 * 1. CSRF: Astro's checkOrigin rule (integration/server/origin-check.ts): always on the
 *    integration's routes except one-click, process and the webhooks; on the host's routes as the
 *    host set `security.checkOrigin`, minus the paths it exempts (`originCheckExempt`).
 * 2. The rest acts on the integration's own routes only (their patterns come from the build):
 *    a redirect to an app-relative path is mounted under the route base (integration/server/mount.ts),
 *    and the package's session cookie is looked up (by its hash), extended when past half its
 *    life, and cleared when unknown or expired. Pages read Astro.locals.user. A host's own cookies
 *    and pages are never read or changed.
 */
import type { APIContext, MiddlewareNext } from 'astro';
import { defineMiddleware } from 'astro:middleware';
import { blankSessionCookie, readCookie, SESSION_COOKIE, sessionCookie } from './server/auth/cookies';
import { validateSessionToken } from './server/auth/session';
import { mountRedirect } from './server/mount';
import { isForbiddenCrossOrigin, originCheckApplies, refuseCrossOrigin } from './server/origin-check';
import { finishRequest } from './server/drain';
import { originPolicy, ownRoutes, routeBase } from 'virtual:astro-d1-notify/config';
import { getDb, noteRequestOrigin } from './runtime';

const OWN_ROUTES = new Set(ownRoutes);

export const onRequest = defineMiddleware(async (context, next) => {
  context.locals.user = null;
  context.locals.session = null;
  if (context.isPrerendered) return next();
  const own = OWN_ROUTES.has(context.routePattern);
  if (originCheckApplies(context.url.pathname, own, originPolicy) && isForbiddenCrossOrigin(context.request, context.url, routeBase)) {
    return refuseCrossOrigin(context.request);
  }
  if (!own) return next();
  noteRequestOrigin(context.url); // astro dev: emailed links follow the port we answer on (server/dev-origin.ts)
  // Every answer of ours (a refusal included) leaves after the request body was read (server/drain.ts).
  return finishRequest(context.request, () => handle(context, next));
});

async function handle(context: APIContext, next: MiddlewareNext): Promise<Response> {
  const token = readCookie(context.request, SESSION_COOKIE);
  if (!token) return mountRedirect(await next(), context.url.pathname, routeBase);
  const found = await validateSessionToken(getDb(), token);
  if (found) {
    context.locals.user = found.user;
    context.locals.session = found.session;
  }
  const response = mountRedirect(await next(), context.url.pathname, routeBase);
  // Logout and login set their own cookie; do not overwrite it.
  if (response.headers.has('set-cookie')) return response;
  if (!found) return withCookie(response, blankSessionCookie(context.url));
  if (found.renewed) return withCookie(response, sessionCookie(token, found.session.expiresAt, context.url));
  return response;
}

/** Some responses (e.g. Response.redirect) have immutable headers: copy them when needed. */
function withCookie(response: Response, cookie: string): Response {
  try {
    response.headers.append('set-cookie', cookie);
    return response;
  } catch {
    const copy = new Response(response.body, response);
    copy.headers.append('set-cookie', cookie);
    return copy;
  }
}
