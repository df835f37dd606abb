/**
 * The two shapes of an admin request, shared by every page and action:
 * - openAdminPage: GET — authenticate, hand out the CSRF token (and its cookie when new); 405 for any
 *   other method unless the page says it takes a POST;
 * - handleAdminPost: POST — authenticate, bounded form body, Origin + token check, then the
 *   action, which answers with a 303 back to a page (post/redirect/get).
 * Both take the signed-in user and settings as parameters, so tests call them with a Request.
 */
import type { User } from '../../../db/schema';
import { formText, MAX_BODY_BYTES, readForm } from '../forms';
import { requestMeta } from '../http';
import { authenticateAdmin, checkCsrf, csrfFor, CSRF_FIELD, deniedPage, forbiddenPage, type AdminIdentity, type AdminSettings } from './gate';

export type AdminPage = { identity: AdminIdentity; csrf: string; setCookie?: string };

/** GET and HEAD only, unless the page takes its own form (`acceptsPost`, which then goes through authorizeAdminPost). */
const READ_METHODS = new Set(['GET', 'HEAD']);

export async function openAdminPage(
  request: Request,
  user: User | null,
  settings: AdminSettings,
  { acceptsPost = false }: { acceptsPost?: boolean } = {},
): Promise<AdminPage | Response> {
  const gate = await authenticateAdmin(request, user, settings);
  if (!gate.ok) return deniedPage(gate.reason, request);
  // A page that reads never answers a write: only what it is told to take gets past here.
  if (!READ_METHODS.has(request.method) && !(acceptsPost && request.method === 'POST')) {
    const response = forbiddenPage(`this page does not take ${request.method} requests`, 405);
    response.headers.set('allow', acceptsPost ? 'GET, HEAD, POST' : 'GET, HEAD');
    return response;
  }
  const csrf = await csrfFor(request, gate.identity);
  return { identity: gate.identity, csrf: csrf.token, setCookie: csrf.setCookie };
}

export type ActionContext = { identity: AdminIdentity; form: FormData; ipAddress: string | null };
export type AdminAction = (ctx: ActionContext) => Promise<Response>;

/** Reads a form of up to `maxBytes` (the import takes files far larger than any other form). */
async function readBoundedForm(request: Request, maxBytes: number): Promise<{ ok: true; form: FormData } | { ok: false; status: number; reason: string }> {
  if (maxBytes <= MAX_BODY_BYTES) return readForm(request);
  const type = (request.headers.get('content-type') ?? '').split(';')[0]!.trim().toLowerCase();
  if (type !== 'multipart/form-data' && type !== 'application/x-www-form-urlencoded') {
    return { ok: false, status: 415, reason: 'Send the form as multipart/form-data or application/x-www-form-urlencoded.' };
  }
  const declared = Number(request.headers.get('content-length') ?? '0');
  if (Number.isFinite(declared) && declared > maxBytes) return { ok: false, status: 413, reason: 'The upload is too large.' };
  try {
    const bytes = await request.arrayBuffer();
    if (bytes.byteLength > maxBytes) return { ok: false, status: 413, reason: 'The upload is too large.' };
    return { ok: true, form: await new Response(bytes, { headers: { 'content-type': request.headers.get('content-type')! } }).formData() };
  } catch {
    return { ok: false, status: 400, reason: 'The form data could not be read.' };
  }
}

/** Authenticates an admin POST and checks its CSRF token: the action's context, or the refusal. */
export async function authorizeAdminPost(
  request: Request,
  user: User | null,
  settings: AdminSettings,
  { maxBytes = MAX_BODY_BYTES }: { maxBytes?: number } = {},
): Promise<ActionContext | Response> {
  const gate = await authenticateAdmin(request, user, settings);
  if (!gate.ok) return forbiddenPage(gate.reason);
  // Origin first: a cross-site request is refused before its body is read.
  if (request.headers.get('origin') !== new URL(request.url).origin) return forbiddenPage('the form was not sent from this site');
  const body = await readBoundedForm(request, maxBytes);
  if (!body.ok) return forbiddenPage(body.reason, body.status);
  const csrf = await checkCsrf(request, formText(body.form, CSRF_FIELD), gate.identity);
  if (!csrf.ok) return forbiddenPage(csrf.reason);
  return { identity: gate.identity, form: body.form, ipAddress: requestMeta(request).ipAddress };
}

export async function handleAdminPost(request: Request, user: User | null, settings: AdminSettings, action: AdminAction): Promise<Response> {
  const ctx = await authorizeAdminPost(request, user, settings);
  return ctx instanceof Response ? ctx : action(ctx);
}

/** 303 to a console page with a short notice shown there (`?notice=`), e.g. "Post held". */
export function backTo(path: string, notice?: string): Response {
  if (!path.startsWith('/admin')) throw new Error(`admin redirects stay inside /admin, got ${path}`);
  const location = notice ? `${path}${path.includes('?') ? '&' : '?'}notice=${encodeURIComponent(notice)}` : path;
  return new Response(null, { status: 303, headers: { location, 'cache-control': 'no-store' } });
}
