/**
 * GET /t/o/<notificationId>.gif?sig=… — the open pixel (integration/delivery/tracking-handlers.ts).
 * Recording an event is what tracking means; no reader state changes.
 */
import type { APIRoute } from 'astro';
import { loadDeliveryConfig } from '../../../delivery/config';
import { openPixelResponse } from '../../../delivery/tracking-handlers';
import { getDb, runtimeEnv } from '../../../runtime';
import { requestMeta } from '../../../server/http';

export const GET: APIRoute = ({ params, url, request }) =>
  openPixelResponse(
    { db: getDb(), tracking: loadDeliveryConfig(runtimeEnv()).tracking, now: new Date(), ...requestMeta(request), method: request.method },
    params.file,
    url.searchParams.get('sig'),
  );
