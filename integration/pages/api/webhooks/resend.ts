/** POST /api/webhooks/resend: Resend events signed with Svix (integration/delivery/providers/resend/webhook.ts). */
import type { APIRoute } from 'astro';
import { methodNotAllowed } from '../../../delivery/providers/webhook-common';
import { handleResendWebhook } from '../../../delivery/providers/resend/webhook';
import { getDb, setting } from '../../../runtime';

export const POST: APIRoute = ({ request }) => handleResendWebhook(request, { db: getDb(), secret: setting('RESEND_WEBHOOK_SECRET') });

export const ALL: APIRoute = () => methodNotAllowed();
