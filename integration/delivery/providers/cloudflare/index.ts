/** Cloudflare Email Service through the send_email binding; its events come through a queue (events.ts). */
import { z } from 'zod';
import { boolSetting, ConfigError, stringSetting } from '../../settings-schema';
import type { ProviderDefinition } from '../types';
import { createCloudflareEmailTransport, type SendEmailBinding } from './transport';

export const cloudflareProvider: ProviderDefinition = {
  name: 'cloudflare',
  settings: {
    CLOUDFLARE_EMAIL_BINDING: stringSetting('EMAIL').pipe(z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/, 'must be a binding name')),
    CLOUDFLARE_EMAIL_BULK: boolSetting,
  },
  required: [],
  pacing: { ratePerMinute: 60, dailyCap: 1_000 }, // the daily quota starts low and grows with reputation
  // Cloudflare's FAQ: Email Service is for transactional mail. Bulk only on the author's word.
  check: (s, roles) =>
    roles.has('bulk') && !s.CLOUDFLARE_EMAIL_BULK
      ? 'MAIL_TRANSPORT is "cloudflare" but Cloudflare Email Service is for transactional mail: ' +
        'set MAIL_TRANSPORT_TRANSACTIONAL=cloudflare and another bulk transport, ' +
        'or opt in with CLOUDFLARE_EMAIL_BULK=true (docs/providers.md "Cloudflare Email Service")'
      : undefined,
  createTransport: ({ settings: s, env }) => {
    const name = s.CLOUDFLARE_EMAIL_BINDING as string;
    const binding = env[name] as SendEmailBinding | undefined;
    if (typeof binding?.send !== 'function') {
      throw new ConfigError(
        `Cloudflare Email Service needs a send_email binding named ${name} in wrangler.jsonc (docs/providers.md "Cloudflare Email Service")`,
      );
    }
    return createCloudflareEmailTransport({ binding });
  },
  feedback: true,
};
