/**
 * Unsubscribe from a link: GET /unsubscribe?token= explains, POST /unsubscribe does it, and
 * POST /api/unsubscribe/one-click?token= is the RFC 8058 one-click endpoint (no cookie, no
 * Origin, 200 without redirect, idempotent).
 */
import type { Db } from '../../../db/client';
import { recordUnsubscribe, unsubscribeFromContentType, unsubscribeIfNothingLeft, unsubscribeUserFromAll } from '../../../db/readers/preferences';
import { DAY } from '../../../db/time';
import { createUnsubscribeTokens, findUnsubscribeToken, useUnsubscribeToken } from '../../../db/readers/unsubscribe-tokens';
import { getUserById } from '../../../db/readers/users';
import type { ContentType, TokenType, UnsubscribeToken } from '../../../db/schema';
import { formText, readForm } from '../forms';
import { requestMeta, type RequestMeta } from '../http';
import { cleanToken } from '../validation';
import { nowOf, redirectTo, render, respond, type PageResult, type ReaderDeps, tOf } from './deps';
import { receivingOf, type Receiving } from './summary';

/** The token types an unsubscribe route takes: never a preferences link (docs/routes-and-security.md "Which token each route takes"). */
export const UNSUBSCRIBE_TOKEN_TYPES: readonly TokenType[] = ['one_click', 'complete'];
export const NOT_AN_UNSUBSCRIBE_LINK = 'This link is not an unsubscribe link.';

const PREFERENCES_AFTER_UNSUBSCRIBE_TTL_SECONDS = 7 * DAY;

export type TokenState =
  | { state: 'valid'; row: UnsubscribeToken }
  | { state: 'used'; row: UnsubscribeToken }
  | { state: 'expired'; row: UnsubscribeToken }
  | { state: 'invalid' };

export async function lookUpToken(db: Db, raw: unknown, now: Date): Promise<TokenState> {
  const token = cleanToken(raw);
  const row = token ? await findUnsubscribeToken(db, token) : null;
  if (!row) return { state: 'invalid' };
  if (row.usedAt) return { state: 'used', row };
  if (row.expiresAt.getTime() <= now.getTime()) return { state: 'expired', row };
  return { state: 'valid', row };
}

/** What a token unsubscribes from: its content type, or everything (a `complete` token or no type). */
export const scopeOf = (row: UnsubscribeToken): ContentType | 'all' => (row.tokenType === 'complete' ? 'all' : (row.contentType ?? 'all'));

/**
 * Unsubscribes and spends the token. The unsubscribe itself is idempotent and goes first,
 * so a failure afterwards never leaves a spent token with the reader still subscribed; the
 * atomic token update decides which of two racing requests records history and statistics.
 */
export async function performUnsubscribe(db: Db, row: UnsubscribeToken, meta: RequestMeta, via: 'page' | 'one_click', now: Date): Promise<'done' | 'already'> {
  const scope = scopeOf(row);
  if (scope === 'all') await unsubscribeUserFromAll(db, row.userId, now);
  else {
    await unsubscribeFromContentType(db, row.userId, scope, now);
    await unsubscribeIfNothingLeft(db, row.userId, now); // the last type off: nothing is sent, and the console says so
  }
  const won = await useUnsubscribeToken(db, row.id, { ipAddress: meta.ipAddress, userAgent: meta.userAgent, now });
  if (!won) return 'already';
  const history = {
    userId: row.userId,
    action: 'unsubscribed' as const,
    details: { scope, tokenType: row.tokenType, via },
    ipAddress: meta.ipAddress,
    userAgent: meta.userAgent,
  };
  await recordUnsubscribe(db, history, scope, now);
  return 'done';
}

export type UnsubscribeView =
  | { state: 'confirm'; token: string; scope: ContentType | 'all'; email: string; locale: string | null }
  | {
      state: 'done';
      token: string;
      scope: ContentType | 'all';
      preferencesToken: string;
      /** What the reader is still sent (null: nothing). */
      still: Receiving;
      /** A fresh `complete` token for "Unsubscribe from everything", while anything is still sent. */
      everythingToken: string | null;
    }
  | { state: 'used'; token: string }
  | { state: 'expired' }
  | { state: 'invalid'; reason?: string };

function stateView(state: TokenState, token: string): PageResult<UnsubscribeView> {
  if (state.state === 'used') return render({ state: 'used', token });
  if (state.state === 'expired') return render({ state: 'expired' }, 410);
  return render({ state: 'invalid' }, 404);
}

export async function showUnsubscribe(db: Db, url: URL, deps: Pick<ReaderDeps, 'now'>): Promise<PageResult<UnsubscribeView>> {
  const raw = url.searchParams.get('token');
  const found = await lookUpToken(db, raw, nowOf(deps));
  const token = cleanToken(raw) ?? '';
  if (found.state !== 'valid') return stateView(found, token);
  // A preferences link pasted here: the preferences page is where it belongs.
  if (found.row.tokenType === 'preference_change') return respond(redirectTo(`/preferences?token=${encodeURIComponent(token)}`));
  const user = await getUserById(db, found.row.userId);
  if (!user) return render({ state: 'invalid' }, 404);
  return render({ state: 'confirm', token, scope: scopeOf(found.row), email: user.email, locale: user.locale });
}

export async function handleUnsubscribe(db: Db, request: Request, deps: Pick<ReaderDeps, 'now'>): Promise<PageResult<UnsubscribeView>> {
  const body = await readForm(request);
  if (!body.ok) return render({ state: 'invalid' }, body.status);
  const now = nowOf(deps);
  const raw = formText(body.form, 'token');
  const token = cleanToken(raw) ?? '';
  const found = await lookUpToken(db, raw, now);
  if (found.state !== 'valid') return stateView(found, token);
  if (!UNSUBSCRIBE_TOKEN_TYPES.includes(found.row.tokenType)) return render({ state: 'invalid', reason: NOT_AN_UNSUBSCRIBE_LINK }, 400);
  const outcome = await performUnsubscribe(db, found.row, requestMeta(request), 'page', now);
  if (outcome === 'already') return render({ state: 'used', token });
  // The page links to preferences with a token of the preferences type (routes take only their own),
  // and, while anything is still sent, offers everything with a token of the `complete` type.
  const user = await getUserById(db, found.row.userId);
  const still = user ? receivingOf(user) : null;
  const ttlSeconds = PREFERENCES_AFTER_UNSUBSCRIBE_TTL_SECONDS;
  const [preferences, everything] = await createUnsubscribeTokens(db, [
    { userId: found.row.userId, tokenType: 'preference_change', ttlSeconds, now },
    ...(still ? [{ userId: found.row.userId, tokenType: 'complete' as const, ttlSeconds, now }] : []),
  ]);
  return render({ state: 'done', token, scope: scopeOf(found.row), preferencesToken: preferences!.token, still, everythingToken: everything?.token ?? null });
}

const ONE_CLICK_BODY_TYPES = new Set(['application/x-www-form-urlencoded', 'multipart/form-data']);

const text = (body: string, status: number, headers: Record<string, string> = {}) =>
  new Response(`${body}\n`, { status, headers: { 'content-type': 'text/plain; charset=utf-8', 'cache-control': 'no-store', ...headers } });

/**
 * RFC 8058 §3.1: the body must be `List-Unsubscribe=One-Click`, urlencoded or multipart.
 * Anything missing or wrong is a 4xx and changes nothing; a spent token answers 200 again.
 */
export async function handleOneClick(db: Db, request: Request, deps: Pick<ReaderDeps, 'now' | 't'>): Promise<Response> {
  // The answers a person may read are in the site's language; the protocol errors stay English.
  const t = tOf(deps);
  if (request.method !== 'POST') return text('Use POST (RFC 8058 one-click unsubscribe).', 405, { allow: 'POST' });
  const mediaType = (request.headers.get('content-type') ?? '').split(';')[0]!.trim().toLowerCase();
  if (!ONE_CLICK_BODY_TYPES.has(mediaType)) return text('Send List-Unsubscribe=One-Click as a form body.', 415);
  const body = await readForm(request);
  if (!body.ok) return text(body.reason, body.status);
  if (formText(body.form, 'List-Unsubscribe') !== 'One-Click') return text('The body must be List-Unsubscribe=One-Click.', 400);
  const now = nowOf(deps);
  const found = await lookUpToken(db, new URL(request.url).searchParams.get('token'), now);
  if (found.state === 'invalid') return text(t('oneClick.unknown'), 404);
  if (found.state === 'used') return text(t('oneClick.already'), 200);
  if (found.state === 'expired') return text(t('oneClick.expired'), 410);
  if (!UNSUBSCRIBE_TOKEN_TYPES.includes(found.row.tokenType)) return text(NOT_AN_UNSUBSCRIBE_LINK, 400);
  const outcome = await performUnsubscribe(db, found.row, requestMeta(request), 'one_click', now);
  return text(outcome === 'done' ? t('oneClick.done') : t('oneClick.already'), 200);
}
