/** Gmail API users.messages.send with an OAuth refresh token (docs/providers.md). */
import { optionalString } from '../../settings-schema';
import type { ProviderDefinition } from '../types';
import { createGmailTransport } from './transport';

export const gmailProvider: ProviderDefinition = {
  name: 'gmail',
  settings: { GMAIL_CLIENT_ID: optionalString, GMAIL_CLIENT_SECRET: optionalString, GMAIL_REFRESH_TOKEN: optionalString },
  required: ['GMAIL_CLIENT_ID', 'GMAIL_CLIENT_SECRET', 'GMAIL_REFRESH_TOKEN'],
  pacing: { ratePerMinute: 150, dailyCap: 2_000 }, // 15,000 quota units/min ÷ 100 per send; Workspace's daily limit
  createTransport: ({ settings: s }) =>
    createGmailTransport({
      clientId: s.GMAIL_CLIENT_ID as string,
      clientSecret: s.GMAIL_CLIENT_SECRET as string,
      refreshToken: s.GMAIL_REFRESH_TOKEN as string,
    }),
  feedback: false,
};
