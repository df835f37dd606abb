/**
 * Where emailed links point under `astro dev`. Astro moves to the next free port when 4321 is
 * taken, while a SITE_URL such as the demo's `http://localhost:4321` stays put, so every emailed
 * link would lead to the wrong server (or another project). In development a loopback SITE_URL only
 * says "this machine": links take the origin the dev server was reached on. A SITE_URL that is not
 * loopback (a tunnel, a staging host) is the author's explicit choice and is kept; a built Worker
 * (`astro build`, `wrangler dev`, production) always uses SITE_URL as set.
 */
import { isLoopbackHost } from '../loopback';

const loopback = (value: string): boolean => {
  try {
    return isLoopbackHost(new URL(value).hostname);
  } catch {
    return false;
  }
};

/** SITE_URL as emailed links should use it: `requestOrigin` in development when both are loopback. */
export function devSiteUrl(siteUrl: string | undefined, requestOrigin: string | undefined, devServer: boolean): string | undefined {
  if (!devServer || !requestOrigin || !loopback(requestOrigin)) return siteUrl;
  if (siteUrl !== undefined && siteUrl !== '' && !loopback(siteUrl)) return siteUrl;
  // Keep a path SITE_URL may carry (a site under a sub-path); take scheme, host and port from the request.
  const path = siteUrl ? new URL(siteUrl).pathname.replace(/\/+$/, '') : '';
  return `${new URL(requestOrigin).origin}${path}`;
}
