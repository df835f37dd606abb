import type { APIRoute } from 'astro';
import { getDb } from '../../runtime';
import { json } from '../../server/http';
import { handleExport } from '../../server/reader/data-rights';

/** POST /preferences/export (form: optional `token`): "Download my data" from the preferences page. */
export const POST: APIRoute = ({ request, locals }) => handleExport(getDb(), request, locals.user, {});

export const ALL: APIRoute = () => json({ error: 'method_not_allowed', reason: 'Use POST from the preferences page.' }, 405, { allow: 'POST' });
