/** POST /api/webhooks/resend: Resend events signed with Svix (integration/delivery/webhooks/resend.ts). */
import type { APIRoute } from 'astro';
import { methodNotAllowed } from '../../../delivery/webhooks/common';
import { handleResendWebhook } from '../../../delivery/webhooks/resend';
import { getDb, setting } from '../../../runtime';

export const POST: APIRoute = ({ request }) => handleResendWebhook(request, { db: getDb(), secret: setting('RESEND_WEBHOOK_SECRET') });

export const ALL: APIRoute = () => methodNotAllowed();
