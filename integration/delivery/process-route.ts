/**
 * The logic of POST /api/notifications/process, with the secret and the run passed in
 * (the page only wires them), so it is tested without a server.
 */
import type { RunSummary } from './processor';
import type { DispatchSummary } from './queue-dispatch';
import { ConfigError } from './settings-schema';
import { bearerMatches } from './secret';

const json = (body: unknown, status: number, headers: Record<string, string> = {}) =>
  new Response(JSON.stringify(body), {
    status,
    headers: { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store', ...headers },
  });

export async function processRoute(request: Request, secret: string | undefined, run: () => Promise<RunSummary | DispatchSummary>): Promise<Response> {
  if (!secret) return json({ error: 'not_configured', reason: 'PROCESS_SECRET is not set, so this endpoint is off.' }, 503);
  if (!(await bearerMatches(request.headers.get('authorization'), secret))) {
    return json({ error: 'unauthorized' }, 401, { 'www-authenticate': 'Bearer' });
  }
  try {
    return json(await run(), 200);
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    // The settings stop sending: say which variable, in the log and in the answer (never a 500).
    console.error(JSON.stringify({ event: 'notifications_not_configured', error: error.message }));
    return json({ error: 'not_configured', reason: error.message }, 503);
  }
}

export const methodNotAllowed = (): Response => json({ error: 'method_not_allowed', reason: 'Use POST.' }, 405, { allow: 'POST' });
