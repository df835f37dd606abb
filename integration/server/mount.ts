/**
 * Handlers speak app-relative paths (`/preferences`, `/admin/posts/x`); the integration's routes
 * are mounted under a route base (Astro's `base` + the `prefix` option). A redirect answered by
 * one of our routes to an app-relative path is mounted under that base, so no handler needs to
 * know where it lives. Other routes' responses, absolute URLs and already-mounted paths pass.
 */
export function mountRedirect(response: Response, requestPath: string, routeBase: string): Response {
  if (routeBase === '') return response;
  if (requestPath !== routeBase && !requestPath.startsWith(`${routeBase}/`)) return response;
  const location = response.headers.get('location');
  if (!location?.startsWith('/') || location.startsWith('//') || location.startsWith('/\\')) return response;
  if (location === routeBase || location.startsWith(`${routeBase}/`) || location.startsWith(`${routeBase}?`)) return response;
  const copy = new Response(response.body, response);
  copy.headers.set('location', `${routeBase}${location}`);
  return copy;
}
