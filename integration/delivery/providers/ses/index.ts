/** Amazon SES v2 (raw SendEmail, SigV4) and its events through SNS (docs/providers.md "Amazon SES"). */
import { optionalString, optionalUrl, stringSetting } from '../../settings-schema';
import { z } from 'zod';
import type { ProviderDefinition } from '../types';
import { createSesTransport } from './transport';
import { handleSesWebhook, parseTopicArns } from './webhook';

export const DEFAULT_SES_REGION = 'us-east-1';

export const sesProvider: ProviderDefinition = {
  name: 'ses',
  settings: {
    AWS_ACCESS_KEY_ID: optionalString,
    AWS_SECRET_ACCESS_KEY: optionalString,
    SES_REGION: stringSetting(DEFAULT_SES_REGION).pipe(z.string().regex(/^[a-z]{2}(-[a-z]+)+-\d$/, 'must be an AWS region such as eu-west-1')),
    SES_CONFIGURATION_SET: optionalString,
    SES_ENDPOINT: optionalUrl,
    SES_SNS_TOPIC_ARNS: optionalString,
  },
  required: ['AWS_ACCESS_KEY_ID', 'AWS_SECRET_ACCESS_KEY'],
  pacing: { ratePerMinute: 14 * 60, dailyCap: 50_000 }, // a common starting production quota; the transport also paces by GetAccount
  createTransport: ({ settings: s }) =>
    createSesTransport({
      accessKeyId: s.AWS_ACCESS_KEY_ID as string,
      secretAccessKey: s.AWS_SECRET_ACCESS_KEY as string,
      region: s.SES_REGION as string,
      ...(s.SES_CONFIGURATION_SET ? { configurationSet: s.SES_CONFIGURATION_SET as string } : {}),
      ...(s.SES_ENDPOINT ? { endpoint: s.SES_ENDPOINT as string } : {}),
    }),
  webhook: (request, { db, settings: s }) => handleSesWebhook(request, { db, topicArns: parseTopicArns(s.SES_SNS_TOPIC_ARNS as string | undefined) }),
  feedback: true,
};
