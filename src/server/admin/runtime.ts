/** The console's settings and database inside the running Worker (pages import this; tests build AdminSettings). */
import { getDb, setting } from '../../runtime';
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
