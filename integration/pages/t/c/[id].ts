/**
 * GET /t/c/<notificationId>?u=<url>&sig=<HMAC(id, url)> — a tracked click: redirects only to a
 * signed http(s) URL of that email, else 400 (integration/delivery/tracking-handlers.ts).
 */
import type { APIRoute } from 'astro';
import { readSettingsNamed } from '../../../delivery/config';
import { trackingSettings } from '../../../delivery/tracking';
import { clickResponse } from '../../../delivery/tracking-handlers';
import { getDb, runtimeEnv } from '../../../runtime';
import { requestMeta } from '../../../server/http';

export const GET: APIRoute = ({ params, url, request }) =>
  clickResponse(
    {
      db: getDb(),
      tracking: trackingSettings(readSettingsNamed(runtimeEnv(), ['TRACKING_ENABLED', 'TRACKING_SECRET'])),
      now: new Date(),
      ...requestMeta(request),
      method: request.method,
    },
    params.id,
    url.searchParams.get('u'),
    url.searchParams.get('sig'),
  );
