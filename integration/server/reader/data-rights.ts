/**
 * The reader's own data: POST /preferences/export (a JSON download) and POST /preferences/delete
 * (a confirm step, then erasure). Both take the signed-in reader or a `preference_change` token,
 * in the POST body only (never a URL that lands in logs); the middleware's Origin check refuses
 * cross-site posts. Nothing here says whether an address exists: both answer only to a holder.
 */
import type { Db } from '../../../db/client';
import { eraseReader, exportReaderData } from '../../../db/readers/data-rights';
import type { User } from '../../../db/schema';
import { blankSessionCookie } from '../auth/cookies';
import { formText, readForm } from '../forms';
import { json } from '../http';
import { nowOf, redirectTo, render, respond, type PageResult, type ReaderDeps } from './deps';
import { resolvePreferencesAuth } from './preferences';

const AUTH_STATUS = { 'signed-out': 401, expired: 410, invalid: 404 } as const;
const AUTH_REASON = {
  'signed-out': 'Sign in first, or use the Email preferences link in one of our emails.',
  expired: 'This link has expired. Use the link in a more recent email, or sign in.',
  invalid: 'We do not recognise this link.',
} as const;

/** POST /preferences/export: the whole record as an attachment, never cached. */
export async function handleExport(db: Db, request: Request, sessionUser: User | null, deps: Pick<ReaderDeps, 'now'>): Promise<Response> {
  const body = await readForm(request);
  if (!body.ok) return json({ error: 'invalid_request', reason: body.reason }, body.status);
  const now = nowOf(deps);
  const auth = await resolvePreferencesAuth(db, formText(body.form, 'token'), sessionUser, now);
  if (!auth.ok) return json({ error: auth.state, reason: AUTH_REASON[auth.state] }, AUTH_STATUS[auth.state], { 'cache-control': 'no-store' });
  const data = await exportReaderData(db, auth.user, now);
  const day = now.toISOString().slice(0, 10);
  return new Response(`${JSON.stringify(data, null, 2)}\n`, {
    status: 200,
    headers: {
      'content-type': 'application/json; charset=utf-8',
      'content-disposition': `attachment; filename="my-data-${day}.json"`,
      'cache-control': 'no-store',
      'x-content-type-options': 'nosniff',
    },
  });
}

export type DeleteView =
  | { state: 'confirm'; email: string; token: string | null }
  | { state: 'done' }
  | { state: 'signed-out' | 'expired' | 'invalid'; reason?: string };

/**
 * POST /preferences/delete: without `confirm=yes` it shows what will happen and asks again;
 * with it, it erases and redirects to the done page, clearing the session cookie.
 */
export async function handleDelete(db: Db, request: Request, sessionUser: User | null, deps: Pick<ReaderDeps, 'now'>): Promise<PageResult<DeleteView>> {
  const body = await readForm(request);
  if (!body.ok) return render({ state: 'invalid', reason: body.reason }, body.status);
  const now = nowOf(deps);
  const auth = await resolvePreferencesAuth(db, formText(body.form, 'token'), sessionUser, now);
  if (!auth.ok) return render({ state: auth.state }, AUTH_STATUS[auth.state]);
  if (formText(body.form, 'confirm') !== 'yes') return render({ state: 'confirm', email: auth.user.email, token: auth.token });
  // The audit row keeps neither the address nor the reader's IP: nothing personal outlives the erasure.
  await eraseReader(db, auth.user, { actor: 'reader', details: { via: auth.token ? 'token' : 'session' } }, now);
  return respond(redirectTo('/preferences/delete?done=1', { 'set-cookie': blankSessionCookie(new URL(request.url)) }));
}

/** GET /preferences/delete: only the done page (the confirm step is reached by POST). */
export function showDelete(url: URL, sessionUser: User | null): PageResult<DeleteView> {
  if (url.searchParams.has('done')) return render({ state: 'done' });
  return respond(redirectTo(sessionUser ? '/preferences' : '/account/login?next=/preferences'));
}
