/**
 * The composition root inside the running Worker, and the only module that touches
 * `cloudflare:workers`: it builds `db`, the reader handlers' deps and the processor's deps from
 * the environment (bindings, vars, secrets) and the route base of the build. Everything else
 * takes these as parameters, so it runs the same in tests and CLIs.
 */
import { env, waitUntil } from 'cloudflare:workers';
import { binding, devServer, localeSettings, messages, routeBase, siteBase } from 'virtual:astro-d1-notify/config';
import { createDb, type Db } from '../db/client';
import { readSetting } from './delivery/config';
import { buildDeliveryDeps, I18N_ENV, withD1Binding, type DeliveryEnv, type EmailLocales } from './delivery/deps';
import { processNotifications, type DeliveryDeps } from './delivery/processor';
import { queueVerificationEmail } from './delivery/verification';
import { devSiteUrl } from './server/dev-origin';
import type { ReaderDeps } from './server/reader/deps';

/**
 * An environment with the build's settings: `DB` is the D1 binding named by the `binding` option,
 * the route base (Astro's base + prefix) so emailed links point where the pages are mounted, and
 * Astro's base alone, where the site-name link of every email goes (the site's home).
 */
export const withRouteBase = (bindings: Record<string, unknown>): DeliveryEnv => ({
  ...withD1Binding(bindings, binding),
  ROUTE_BASE: routeBase,
  SITE_BASE: siteBase,
  // The readers' languages and the host's wording (the `locale`/`messages` options, Astro's i18n): emails speak them too.
  [I18N_ENV]: { ...localeSettings, messages } satisfies EmailLocales,
});

/**
 * Under `astro dev` only: the origin the dev server was last reached on (the middleware notes it on
 * every request of ours), so mail sent later in the same process (the processor, a cron run) links
 * to the same port. Unused in a built Worker.
 */
let devOrigin: string | undefined;
export function noteRequestOrigin(url: URL): void {
  if (devServer) devOrigin = url.origin;
}

export function runtimeEnv(): DeliveryEnv {
  const bindings = env as unknown as Record<string, unknown>;
  if (!devServer) return withRouteBase(bindings);
  const siteUrl = typeof bindings.SITE_URL === 'string' ? bindings.SITE_URL : undefined;
  return withRouteBase({ ...bindings, SITE_URL: devSiteUrl(siteUrl, devOrigin, devServer) });
}

/**
 * A string setting from vars or secrets (wrangler.jsonc `vars`, `.dev.vars`, `wrangler secret put`),
 * read through the one settings schema (delivery/config.ts): its default, its loopback default,
 * or undefined when unset. An undeclared name throws.
 */
export function setting(name: string): string | undefined {
  const value = readSetting(runtimeEnv(), name);
  return value === undefined ? undefined : String(value);
}

export const getDb = (): Db => createDb(runtimeEnv().DB);

export const getDeliveryDeps = (): DeliveryDeps => buildDeliveryDeps(runtimeEnv());

/** Where emailed links point: SITE_URL (else the request's origin; in `astro dev`, see server/dev-origin.ts) plus the route base. */
export function linkBase(url: URL): string {
  noteRequestOrigin(url);
  return (setting('SITE_URL') ?? url.origin).replace(/\/+$/, '') + routeBase;
}

/** Work that finishes after the response is sent (the Worker stays alive for it). */
export const inBackground = (work: Promise<unknown>): void => waitUntil(work);

/**
 * The reader handlers' deps: where emailed links point, work after the answer (waitUntil),
 * and account mail (queued, then sent at once; the processor retries failures).
 */
export function readerDeps(url: URL): ReaderDeps {
  return {
    siteUrl: linkBase(url),
    botCheck: {
      siteKey: setting('TURNSTILE_SITE_KEY'),
      secretKey: setting('TURNSTILE_SECRET_KEY'),
      verifyUrl: setting('TURNSTILE_VERIFY_URL'),
      hostname: new URL(setting('SITE_URL') ?? url.origin).hostname,
    },
    afterResponse: (work) => inBackground(work()),
    sendVerification: async (db, params) => {
      const id = await queueVerificationEmail(db, params);
      await processNotifications(getDeliveryDeps(), { onlyNotificationIds: [id] });
    },
  };
}
