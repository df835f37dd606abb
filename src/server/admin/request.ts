/**
 * The two shapes of an admin request, shared by every page and action:
 * - openAdminPage: GET — authenticate, hand out the CSRF token (and its cookie when new);
 * - handleAdminPost: POST — authenticate, bounded form body, Origin + token check, then the
 *   action, which answers with a 303 back to a page (post/redirect/get).
 * Both take the signed-in user and settings as parameters, so tests call them with a Request.
 */
import type { User } from '../../../db/schema';
import { readForm, formText } from '../forms';
import { requestMeta } from '../http';
import { authenticateAdmin, checkCsrf, csrfFor, CSRF_FIELD, forbiddenPage, type AdminIdentity, type AdminSettings } from './gate';

export type AdminPage = { identity: AdminIdentity; csrf: string; setCookie?: string };

export async function openAdminPage(request: Request, user: User | null, settings: AdminSettings): Promise<AdminPage | Response> {
  const gate = await authenticateAdmin(request, user, settings);
  if (!gate.ok) return forbiddenPage(gate.reason);
  const csrf = csrfFor(request);
  return { identity: gate.identity, csrf: csrf.token, setCookie: csrf.setCookie };
}

export type ActionContext = { identity: AdminIdentity; form: FormData; ipAddress: string | null };
export type AdminAction = (ctx: ActionContext) => Promise<Response>;

export async function handleAdminPost(request: Request, user: User | null, settings: AdminSettings, action: AdminAction): Promise<Response> {
  const gate = await authenticateAdmin(request, user, settings);
  if (!gate.ok) return forbiddenPage(gate.reason);
  const body = await readForm(request);
  if (!body.ok) return forbiddenPage(body.reason, body.status);
  const csrf = checkCsrf(request, formText(body.form, CSRF_FIELD));
  if (!csrf.ok) return forbiddenPage(csrf.reason);
  return action({ identity: gate.identity, form: body.form, ipAddress: requestMeta(request).ipAddress });
}

/** 303 to a console page with a short notice shown there (`?notice=`), e.g. "Post held". */
export function backTo(path: string, notice?: string): Response {
  if (!path.startsWith('/admin')) throw new Error(`admin redirects stay inside /admin, got ${path}`);
  const location = notice ? `${path}${path.includes('?') ? '&' : '?'}notice=${encodeURIComponent(notice)}` : path;
  return new Response(null, { status: 303, headers: { location, 'cache-control': 'no-store' } });
}
