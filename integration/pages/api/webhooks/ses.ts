/** POST /api/webhooks/ses: Amazon SES events through SNS (integration/delivery/providers/ses/webhook.ts). 503 until SES_SNS_TOPIC_ARNS is set. */
import type { APIRoute } from 'astro';
import { methodNotAllowed } from '../../../delivery/providers/webhook-common';
import { handleSesWebhook, parseTopicArns } from '../../../delivery/providers/ses/webhook';
import { getDb, setting } from '../../../runtime';

export const POST: APIRoute = ({ request }) => handleSesWebhook(request, { db: getDb(), topicArns: parseTopicArns(setting('SES_SNS_TOPIC_ARNS')) });

export const ALL: APIRoute = () => methodNotAllowed();
