import type { APIRoute } from 'astro';
import { getDb } from '../../runtime';
import { json } from '../../server/http';
import { handlePreferencesApiGet, handlePreferencesApiPut } from '../../server/reader/preferences';

/** GET /api/preferences and PUT /api/preferences (JSON) for the signed-in reader; 401 otherwise. */
export const GET: APIRoute = ({ locals }) => handlePreferencesApiGet(locals.user);
export const PUT: APIRoute = ({ request, locals }) => handlePreferencesApiPut(getDb(), request, locals.user, {});

export const ALL: APIRoute = () => json({ error: 'method_not_allowed', reason: 'Use GET or PUT.' }, 405, { allow: 'GET, PUT' });
