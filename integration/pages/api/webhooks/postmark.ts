/** POST /api/webhooks/postmark: Postmark bounce, complaint and delivery webhooks, basic auth (integration/delivery/providers/postmark/webhook.ts). */
import type { APIRoute } from 'astro';
import { methodNotAllowed } from '../../../delivery/providers/webhook-common';
import { handlePostmarkWebhook } from '../../../delivery/providers/postmark/webhook';
import { getDb, setting } from '../../../runtime';

export const POST: APIRoute = ({ request }) =>
  handlePostmarkWebhook(request, { db: getDb(), user: setting('POSTMARK_WEBHOOK_USER'), password: setting('POSTMARK_WEBHOOK_PASSWORD') });

export const ALL: APIRoute = () => methodNotAllowed();
