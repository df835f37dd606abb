/** Resend: /emails/batch with an idempotency key, and its Svix-signed webhook (docs/providers.md "Resend"). */
import { optionalString, optionalUrl } from '../../settings-schema';
import type { ProviderDefinition } from '../types';
import { createResendTransport } from './transport';
import { handleResendWebhook } from './webhook';

export const resendProvider: ProviderDefinition = {
  name: 'resend',
  settings: { RESEND_API_KEY: optionalString, RESEND_ENDPOINT: optionalUrl, RESEND_WEBHOOK_SECRET: optionalString },
  required: ['RESEND_API_KEY'],
  pacing: { ratePerMinute: 600, dailyCap: 100 }, // the free plan's 100 a day; paid plans set DAILY_CAP=0
  createTransport: ({ settings: s }) =>
    createResendTransport({ apiKey: s.RESEND_API_KEY as string, ...(s.RESEND_ENDPOINT ? { apiBase: s.RESEND_ENDPOINT as string } : {}) }),
  webhook: (request, { db, settings: s }) => handleResendWebhook(request, { db, secret: s.RESEND_WEBHOOK_SECRET as string | undefined }),
  feedback: true,
};
