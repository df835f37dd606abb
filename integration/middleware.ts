/**
 * Two jobs before any page runs:
 * 1. CSRF: Astro's checkOrigin is off (astro.config.mjs) because RFC 8058 one-click POSTs
 *    arrive from mail providers without our Origin; this applies the same rule to every
 *    other route (see integration/server/origin-check.ts).
 * 2. Mounting: handlers redirect to app-relative paths (`/preferences`); under a route base
 *    (Astro's `base` + `prefix`) their Location is mounted there (integration/server/mount.ts).
 * 3. Sessions: a `session` cookie is looked up (by its hash), extended when past half its
 *    life, and cleared when unknown or expired. Pages read Astro.locals.user.
 */
import type { APIContext, MiddlewareNext } from 'astro';
import { defineMiddleware } from 'astro:middleware';
import { blankSessionCookie, readCookie, SESSION_COOKIE, sessionCookie } from './server/auth/cookies';
import { validateSessionToken } from './server/auth/session';
import { mountRedirect } from './server/mount';
import { crossOriginForbiddenResponse, isForbiddenCrossOrigin } from './server/origin-check';
import { finishRequest } from './server/drain';
import { routeBase } from 'virtual:astro-d1-notify/config';
import { getDb } from './runtime';

// Every answer (a refusal included) leaves after the request body was read (server/drain.ts).
export const onRequest = defineMiddleware((context, next) => {
  context.locals.user = null;
  context.locals.session = null;
  if (context.isPrerendered) return next();
  return finishRequest(context.request, () => handle(context, next));
});

async function handle(context: APIContext, next: MiddlewareNext): Promise<Response> {
  if (isForbiddenCrossOrigin(context.request, context.url, routeBase)) return crossOriginForbiddenResponse();

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
