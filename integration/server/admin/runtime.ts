/** The console's settings and database inside the running Worker (pages import this; tests build AdminSettings). */
import { getDb, getDeliveryDeps, linkBase, runtimeEnv, setting } from '../../runtime';
import { loadDeliveryConfig } from '../../delivery/config';
import type { Db } from '../../../db/client';
import { accessConfigFrom } from './access';
import type { AdminSettings } from './gate';

export function adminSettings(): AdminSettings {
  return {
    access: accessConfigFrom({
      ACCESS_TEAM_DOMAIN: setting('ACCESS_TEAM_DOMAIN'),
      ACCESS_AUD: setting('ACCESS_AUD'),
      ACCESS_JWKS_URL: setting('ACCESS_JWKS_URL'),
    }),
    devBypass: setting('ADMIN_DEV_BYPASS') === '1',
    mailTransport: setting('MAIL_TRANSPORT') ?? 'dev',
  };
}

export const adminDb = (): Db => getDb();

/** Pacing limits and digest hours as the processor reads them. */
export function deliveryLimits() {
  const config = loadDeliveryConfig(runtimeEnv());
  return { ratePerMinute: config.ratePerMinute, dailyCap: config.dailyCap, digestHourUtc: config.digestHourUtc, digestWeekday: config.digestWeekday };
}

/** What post actions need from the running Worker: delivery config and the configured transport. */
export function postActionDeps() {
  const deps = getDeliveryDeps();
  return { db: deps.db, config: deps.config, transport: deps.transport };
}

/** Where emailed links point (integration/runtime.ts). */
export { linkBase as siteUrl };
