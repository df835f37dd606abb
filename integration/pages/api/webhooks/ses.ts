/** POST /api/webhooks/ses: Amazon SES events through SNS (integration/delivery/webhooks/ses.ts). 503 until SES_SNS_TOPIC_ARNS is set. */
import type { APIRoute } from 'astro';
import { methodNotAllowed } from '../../../delivery/webhooks/common';
import { handleSesWebhook, parseTopicArns } from '../../../delivery/webhooks/ses';
import { getDb, setting } from '../../../runtime';

export const POST: APIRoute = ({ request }) => handleSesWebhook(request, { db: getDb(), topicArns: parseTopicArns(setting('SES_SNS_TOPIC_ARNS')) });

export const ALL: APIRoute = () => methodNotAllowed();
