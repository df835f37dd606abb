/** The console's settings and database inside the running Worker (pages import this; tests build AdminSettings). */
import { getDb, getDeliveryDeps, inBackground, linkBase, runtimeEnv, setting } from '../../runtime';
import { runDelivery } from '../../delivery/queue-handlers';
import { deliveryConfigProblem, readSettings } from '../../delivery/config';
import { provider } from '../../delivery/providers/registry';
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
    mailTransport: setting('MAIL_TRANSPORT') ?? '',
  };
}

export const adminDb = (): Db => getDb();

/** Pacing limits and digest hours as the processor reads them (pacing by MAIL_TRANSPORT's provider when not set). */
export function deliveryLimits() {
  const s = readSettings(runtimeEnv());
  const pacing = provider(String(s.MAIL_TRANSPORT ?? ''))?.pacing ?? { ratePerMinute: 0, dailyCap: 0 };
  return {
    ratePerMinute: (s.RATE_PER_MINUTE as number | undefined) ?? pacing.ratePerMinute,
    dailyCap: (s.DAILY_CAP as number | undefined) ?? pacing.dailyCap,
    digestHourUtc: s.DIGEST_HOUR_UTC as number,
    digestWeekday: s.DIGEST_WEEKDAY as number,
  };
}

/** Why the settings stop sending (a missing or invalid variable), or undefined: the overview says so first. */
export const sendingProblem = (): string | undefined => deliveryConfigProblem(runtimeEnv());

/**
 * What post actions need from the running Worker: delivery config, the configured transport, and
 * Send now's delivery run (the one the cron and the process route start) after the answer.
 */
export function postActionDeps() {
  const deps = getDeliveryDeps();
  return {
    db: deps.db,
    config: deps.config,
    transport: deps.transport,
    deliverNow: () => runDelivery(deps, runtimeEnv()),
    afterResponse: (work: () => Promise<unknown>) => inBackground(work()),
  };
}

/** Where emailed links point (integration/runtime.ts). */
export { linkBase as siteUrl };
