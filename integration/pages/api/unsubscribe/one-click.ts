import type { APIRoute } from 'astro';
import { getDb } from '../../../runtime';
import { handleOneClick } from '../../../server/reader/unsubscribe';
import { pageT } from '../../_page';

/**
 * POST /api/unsubscribe/one-click?token=… — the List-Unsubscribe URL (RFC 8058). Exempt from the
 * Origin check (integration/server/origin-check.ts), like the process route and the provider
 * webhooks: the token and the body `List-Unsubscribe=One-Click` are its proof.
 */
export const POST: APIRoute = ({ request }) => handleOneClick(getDb(), request, { t: pageT() });
export const ALL: APIRoute = ({ request }) => handleOneClick(getDb(), request, { t: pageT() });
