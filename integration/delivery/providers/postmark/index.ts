/** Postmark: /email/batch on a broadcast and a transactional stream, and its webhooks (docs/providers.md "Postmark"). */
import { optionalString, optionalUrl, stringSetting } from '../../settings-schema';
import type { ProviderDefinition } from '../types';
import { createPostmarkTransport } from './transport';
import { handlePostmarkWebhook } from './webhook';

export const postmarkProvider: ProviderDefinition = {
  name: 'postmark',
  settings: {
    POSTMARK_SERVER_TOKEN: optionalString,
    POSTMARK_MESSAGE_STREAM: stringSetting('broadcast'),
    POSTMARK_TRANSACTIONAL_STREAM: stringSetting('outbound'),
    POSTMARK_ENDPOINT: optionalUrl,
    POSTMARK_WEBHOOK_USER: optionalString,
    POSTMARK_WEBHOOK_PASSWORD: optionalString,
  },
  required: ['POSTMARK_SERVER_TOKEN'],
  pacing: { ratePerMinute: 1_000, dailyCap: 0 }, // no published send rate; billed per email
  separateTransactional: true,
  createTransport: ({ settings: s, role }) =>
    createPostmarkTransport({
      serverToken: s.POSTMARK_SERVER_TOKEN as string,
      messageStream: (role === 'bulk' ? s.POSTMARK_MESSAGE_STREAM : s.POSTMARK_TRANSACTIONAL_STREAM) as string,
      ...(s.POSTMARK_ENDPOINT ? { apiBase: s.POSTMARK_ENDPOINT as string } : {}),
    }),
  webhook: (request, { db, settings: s }) =>
    handlePostmarkWebhook(request, { db, user: s.POSTMARK_WEBHOOK_USER as string | undefined, password: s.POSTMARK_WEBHOOK_PASSWORD as string | undefined }),
  feedback: true,
};
