import type { APIRoute } from 'astro';
import { getDb } from '../../runtime';
import { json } from '../../server/http';
import { handleSubscribeApi } from '../../server/reader/subscribe';
import { readerDeps } from '../../runtime';

/** POST /api/subscribe: JSON { email, contentTypes: [...], frequency } → 202, 400, 415, 429. */
export const POST: APIRoute = ({ request, url }) => handleSubscribeApi(getDb(), request, readerDeps(url));

export const ALL: APIRoute = () => json({ error: 'method_not_allowed', reason: 'Use POST.' }, 405, { allow: 'POST' });
