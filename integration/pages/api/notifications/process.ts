/**
 * POST /api/notifications/process with `Authorization: Bearer <PROCESS_SECRET>`: runs the
 * processor once (for any outside scheduler; with DELIVERY_MODE=queue: fan-out and dispatch) and answers its summary as JSON.
 * 401 without the right secret (constant-time comparison); 503 when no secret is configured.
 * (The Origin check, integration/server/origin-check.ts, exempts this path, not a header: the
 * bearer check here is the proof. An Authorization header alone exempts nothing.)
 */
import type { APIRoute } from 'astro';
import { methodNotAllowed, processRoute } from '../../../delivery/process-route';
import { runDelivery } from '../../../delivery/queue-handlers';
import { getDeliveryDeps, runtimeEnv, setting } from '../../../runtime';

export const POST: APIRoute = ({ request }) => processRoute(request, setting('PROCESS_SECRET'), () => runDelivery(getDeliveryDeps(), runtimeEnv()));

export const ALL: APIRoute = () => methodNotAllowed();
