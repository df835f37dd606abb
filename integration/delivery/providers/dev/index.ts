/** The dev capture: every email into D1's dev_mail_outbox (read at /dev/mail); loopback hosts only. */
import { isLoopbackSiteUrl } from '../../settings-schema';
import type { ProviderDefinition } from '../types';
import { createDevCaptureTransport } from './transport';

export const devProvider: ProviderDefinition = {
  name: 'dev',
  settings: {},
  required: [],
  pacing: { ratePerMinute: 150, dailyCap: 2_000 }, // Gmail's, so a local run paces as the usual first provider does
  check: (s) =>
    isLoopbackSiteUrl(s.SITE_URL)
      ? undefined
      : 'MAIL_TRANSPORT is "dev", the local capture into D1, which runs only when SITE_URL is a loopback host (localhost, 127.0.0.1): ' +
        'set MAIL_TRANSPORT to a provider (docs/providers.md)',
  createTransport: ({ db }) => createDevCaptureTransport(db),
  feedback: false,
};
