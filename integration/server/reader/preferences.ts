/**
 * GET/POST /preferences (a session, or a token from an email link) and GET/PUT
 * /api/preferences (JSON, session only). Saving writes a `preferences_updated` history row.
 */
import type { Db } from '../../../db/client';
import { createNotificationHistory } from '../../../db/delivery/history';
import { recordConfirmedConsent } from '../../../db/readers/consent';
import { contentTypesOf, isReceivingMail, preferenceFlags } from '../../../db/delivery/eligibility';
import { updateUserPreferences } from '../../../db/readers/preferences';
import { findUnsubscribeToken } from '../../../db/readers/unsubscribe-tokens';
import { getUserById } from '../../../db/readers/users';
import type { ContentType, EmailFrequency, User } from '../../../db/schema';
import { formList, formText, readForm, readJson } from '../forms';
import { json, requestMeta, validationError, type FieldErrors } from '../http';
import { cleanToken, parseBoolean, parseContentTypes, parseFrequency } from '../validation';
import { nowOf, redirectTo, render, respond, tOf, type PageResult, type ReaderDeps } from './deps';
import { formRefusal } from './messages';
import { receivingOf, type Receiving } from './summary';
import type { Translate } from '../../i18n';

export type Preferences = { contentTypes: ContentType[]; frequency: EmailFrequency; unsubscribeAll: boolean };

export function preferencesOf(user: User): Preferences {
  return { contentTypes: contentTypesOf(user), frequency: user.emailFrequency, unsubscribeAll: user.unsubscribeAll };
}

/** Who may change preferences: the signed-in reader, or the holder of an emailed link. */
export type PreferencesAuth = { ok: true; user: User; token: string | null } | { ok: false; state: 'signed-out' | 'expired' | 'invalid' };

/**
 * Only a preferences link (`preference_change`) opens this page, until it expires; an
 * unsubscribe or one-click token is refused like an unknown one (routes take only their own
 * token types). An explicit token wins over the session.
 */
export async function resolvePreferencesAuth(db: Db, rawToken: unknown, sessionUser: User | null, now: Date): Promise<PreferencesAuth> {
  if (rawToken === undefined || rawToken === null || rawToken === '') {
    return sessionUser ? { ok: true, user: sessionUser, token: null } : { ok: false, state: 'signed-out' };
  }
  const token = cleanToken(rawToken);
  const row = token ? await findUnsubscribeToken(db, token) : null;
  if (!token || !row || row.tokenType !== 'preference_change') return { ok: false, state: 'invalid' };
  if (row.expiresAt.getTime() <= now.getTime()) return { ok: false, state: 'expired' };
  const user = await getUserById(db, row.userId);
  return user ? { ok: true, user, token } : { ok: false, state: 'invalid' };
}

export type PreferencesView =
  | {
      state: 'form';
      email: string;
      /** The reader's language (null: the site's default). */
      locale: string | null;
      emailVerified: boolean;
      token: string | null;
      values: Preferences;
      /** What the saved reader is sent (the page says it in one sentence). */
      receiving: Receiving;
      errors: FieldErrors;
      saved: boolean;
      justVerified: boolean;
      passwordSet?: boolean;
      signedIn?: boolean;
    }
  | { state: 'signed-out' | 'expired' | 'invalid' };

const AUTH_STATUS = { 'signed-out': 401, expired: 410, invalid: 404 } as const;

/** The form as saved; "unsubscribe from everything" shows no type ticked, since none is sent. */
const shownValues = (user: User): Preferences => (user.unsubscribeAll ? { ...preferencesOf(user), contentTypes: [] } : preferencesOf(user));

function formView(user: User, token: string | null, extra: Partial<Extract<PreferencesView, { state: 'form' }>> = {}): PreferencesView {
  return {
    state: 'form',
    email: user.email,
    locale: user.locale,
    emailVerified: user.emailVerified,
    token,
    values: shownValues(user),
    receiving: receivingOf(user),
    errors: {},
    saved: false,
    justVerified: false,
    ...extra,
  };
}

export async function showPreferences(db: Db, url: URL, sessionUser: User | null, deps: Pick<ReaderDeps, 'now'>): Promise<PageResult<PreferencesView>> {
  const auth = await resolvePreferencesAuth(db, url.searchParams.get('token'), sessionUser, nowOf(deps));
  if (!auth.ok) return render({ state: auth.state }, AUTH_STATUS[auth.state]);
  const flags = url.searchParams;
  return render(
    formView(auth.user, auth.token, {
      saved: flags.has('saved'),
      justVerified: flags.has('verified'),
      passwordSet: flags.has('password-set'),
      signedIn: flags.has('signed-in'),
    }),
  );
}

export function parsePreferences(raw: { contentTypes: unknown; frequency: unknown; unsubscribeAll: unknown }, t?: Translate) {
  const errors: FieldErrors = {};
  const value: Preferences = {
    contentTypes: parseContentTypes(raw.contentTypes, errors, { requireOne: false }, 'contentTypes', t),
    frequency: parseFrequency(raw.frequency, errors, 'frequency', t),
    unsubscribeAll: parseBoolean(raw.unsubscribeAll, errors, 'unsubscribeAll', t),
  };
  return { value, errors };
}

/**
 * The reader's own save (signed in, or holding an emailed preferences link: either way the
 * mailbox owner). Choosing any mail confirms the address; a save that starts mail for a reader
 * who was not receiving any is an activation, and writes the owner's confirmed consent record.
 */
async function savePreferences(db: Db, user: User, prefs: Preferences, request: Request, via: 'token' | 'session' | 'api', now: Date): Promise<void> {
  const wantsMail = !prefs.unsubscribeAll && prefs.contentTypes.length > 0;
  const flags = preferenceFlags(prefs.contentTypes);
  await updateUserPreferences(
    db,
    user.id,
    { ...flags, emailFrequency: prefs.frequency, unsubscribeAll: prefs.unsubscribeAll, ...(wantsMail && { emailVerified: true }) },
    now,
  );
  const after = {
    ...flags,
    unsubscribeAll: prefs.unsubscribeAll,
    emailVerified: wantsMail || user.emailVerified,
    emailStatus: prefs.unsubscribeAll ? ('unsubscribed' as const) : user.emailStatus === 'unsubscribed' ? ('active' as const) : user.emailStatus,
  };
  const meta = requestMeta(request);
  if (!isReceivingMail(user) && isReceivingMail(after)) {
    const choices = { contentTypes: prefs.contentTypes, frequency: prefs.frequency };
    await recordConfirmedConsent(db, {
      userId: user.id,
      tokenHash: null,
      source: via === 'api' ? 'api' : 'subscribe_form',
      choices,
      ipAddress: meta.ipAddress,
      userAgent: meta.userAgent,
      now,
    });
  }
  await createNotificationHistory(db, {
    userId: user.id,
    action: 'preferences_updated',
    details: { before: preferencesOf(user), after: prefs, via },
    ipAddress: meta.ipAddress,
    userAgent: meta.userAgent,
  });
}

export async function handlePreferencesForm(
  db: Db,
  request: Request,
  sessionUser: User | null,
  deps: Pick<ReaderDeps, 'now' | 't'>,
): Promise<PageResult<PreferencesView>> {
  const body = await readForm(request);
  if (!body.ok) {
    if (!sessionUser) return render({ state: 'invalid' }, body.status);
    return render(formView(sessionUser, null, { errors: { form: formRefusal(body, tOf(deps)) } }), body.status);
  }
  const now = nowOf(deps);
  const auth = await resolvePreferencesAuth(db, formText(body.form, 'token'), sessionUser, now);
  if (!auth.ok) return render({ state: auth.state }, AUTH_STATUS[auth.state]);
  const { value, errors } = parsePreferences(
    {
      contentTypes: formList(body.form, 'contentTypes'),
      frequency: formText(body.form, 'frequency'),
      unsubscribeAll: formText(body.form, 'unsubscribeAll'),
    },
    tOf(deps),
  );
  if (Object.keys(errors).length > 0) return render(formView(auth.user, auth.token, { values: value, errors }), 400);
  // Nothing ticked is nothing sent: saved as "unsubscribe from everything", as the console then shows it.
  const chosen = value.contentTypes.length === 0 ? { ...value, unsubscribeAll: true } : value;
  await savePreferences(db, auth.user, chosen, request, auth.token ? 'token' : 'session', now);
  const query = auth.token ? `token=${encodeURIComponent(auth.token)}&saved=1` : 'saved=1';
  return respond(redirectTo(`/preferences?${query}`));
}

const unauthorized = () => json({ error: 'unauthorized', reason: 'Sign in first.' }, 401);

const apiBody = (user: User) => ({ email: user.email, emailVerified: user.emailVerified, ...preferencesOf(user) });

/** GET /api/preferences: the signed-in reader's preferences. */
export function handlePreferencesApiGet(sessionUser: User | null): Response {
  return sessionUser ? json(apiBody(sessionUser)) : unauthorized();
}

/** PUT /api/preferences: any of contentTypes, frequency, unsubscribeAll; omitted ones keep their value. */
export async function handlePreferencesApiPut(db: Db, request: Request, sessionUser: User | null, deps: Pick<ReaderDeps, 'now'>): Promise<Response> {
  if (!sessionUser) return unauthorized();
  const body = await readJson(request);
  if (!body.ok) return json({ error: 'invalid_request', fields: [{ field: body.field, reason: body.reason }] }, body.status);
  const known = new Set(['contentTypes', 'frequency', 'unsubscribeAll']);
  const unknown = Object.keys(body.body).filter((k) => !known.has(k));
  if (unknown.length > 0) return validationError(Object.fromEntries(unknown.map((k) => [k.slice(0, 40), 'Unknown field.'])));
  const current = preferencesOf(sessionUser);
  const { value, errors } = parsePreferences({
    contentTypes: 'contentTypes' in body.body ? (body.body.contentTypes ?? []) : current.contentTypes,
    frequency: 'frequency' in body.body ? body.body.frequency : current.frequency,
    unsubscribeAll: 'unsubscribeAll' in body.body ? body.body.unsubscribeAll : current.unsubscribeAll,
  });
  if ('contentTypes' in body.body && !Array.isArray(body.body.contentTypes)) errors.contentTypes = 'Send a list, e.g. ["blog"].';
  if ('unsubscribeAll' in body.body && typeof body.body.unsubscribeAll !== 'boolean') errors.unsubscribeAll = 'Use true or false.';
  if (Object.keys(errors).length > 0) return validationError(errors);
  const now = nowOf(deps);
  await savePreferences(db, sessionUser, value, request, 'api', now);
  const user = (await getUserById(db, sessionUser.id)) ?? sessionUser;
  return json(apiBody(user));
}
