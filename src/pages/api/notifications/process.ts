/**
 * POST /api/notifications/process with `Authorization: Bearer <PROCESS_SECRET>`: runs the
 * processor once (for any outside scheduler) and answers its summary as JSON.
 * 401 without the right secret (constant-time comparison); 503 when no secret is configured.
 * (The CSRF check in src/middleware.ts lets a request with an Authorization header through.)
 */
import type { APIRoute } from 'astro';
import { processNotifications } from '../../../delivery/processor';
import { getDeliveryDeps } from '../../../delivery/runtime-deps';
import { bearerMatches } from '../../../delivery/secret';
import { setting } from '../../../runtime';

const json = (body: unknown, status: number, headers: Record<string, string> = {}) =>
  new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store', ...headers } });

export const POST: APIRoute = async ({ request }) => {
  const secret = setting('PROCESS_SECRET');
  if (!secret) return json({ error: 'not_configured', reason: 'PROCESS_SECRET is not set, so this endpoint is off.' }, 503);
  if (!(await bearerMatches(request.headers.get('authorization'), secret))) {
    return json({ error: 'unauthorized' }, 401, { 'www-authenticate': 'Bearer' });
  }
  const summary = await processNotifications(getDeliveryDeps());
  return json(summary, 200);
};

export const ALL: APIRoute = () => json({ error: 'method_not_allowed', reason: 'Use POST.' }, 405, { allow: 'POST' });
