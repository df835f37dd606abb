/**
 * GET /t/c/<notificationId>?u=<url>&sig=<HMAC(id, url)> — a tracked click: redirects only to a
 * signed http(s) URL of that email, else 400 (integration/delivery/tracking-handlers.ts).
 */
import type { APIRoute } from 'astro';
import { loadDeliveryConfig } from '../../../delivery/config';
import { clickResponse } from '../../../delivery/tracking-handlers';
import { getDb, runtimeEnv } from '../../../runtime';
import { requestMeta } from '../../../server/http';

export const GET: APIRoute = ({ params, url, request }) =>
  clickResponse(
    { db: getDb(), tracking: loadDeliveryConfig(runtimeEnv()).tracking, now: new Date(), ...requestMeta(request), method: request.method },
    params.id,
    url.searchParams.get('u'),
    url.searchParams.get('sig'),
  );
