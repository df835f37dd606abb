import type { APIRoute } from 'astro';
import { getDb } from '../../../runtime';
import { handleOneClick } from '../../../server/reader/unsubscribe';

/**
 * POST /api/unsubscribe/one-click?token=… — the List-Unsubscribe URL (RFC 8058). The only
 * route exempt from the Origin check in integration/middleware.ts.
 */
export const POST: APIRoute = ({ request }) => handleOneClick(getDb(), request, {});
export const ALL: APIRoute = ({ request }) => handleOneClick(getDb(), request, {});
