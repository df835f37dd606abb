/**
 * GET /t/o/<notificationId>.gif?sig=… — the open pixel (integration/delivery/tracking-handlers.ts).
 * Recording an event is what tracking means; no reader state changes.
 */
import type { APIRoute } from 'astro';
import { readSettingsNamed } from '../../../delivery/config';
import { trackingSettings } from '../../../delivery/tracking';
import { openPixelResponse } from '../../../delivery/tracking-handlers';
import { getDb, runtimeEnv } from '../../../runtime';
import { requestMeta } from '../../../server/http';

export const GET: APIRoute = ({ params, url, request }) =>
  openPixelResponse(
    {
      db: getDb(),
      tracking: trackingSettings(readSettingsNamed(runtimeEnv(), ['TRACKING_ENABLED', 'TRACKING_SECRET'])),
      now: new Date(),
      ...requestMeta(request),
      method: request.method,
    },
    params.file,
    url.searchParams.get('sig'),
  );
