/** GET /verify?token= shows a confirm button (GET changes nothing); POST /verify confirms. */
import type { Db } from '../../../db/client';
import { createNotificationHistory } from '../../../db/delivery/history';
import { createUnsubscribeToken } from '../../../db/readers/unsubscribe-tokens';
import { DAY } from '../../../db/time';
import { formText, readForm } from '../forms';
import { requestMeta } from '../http';
import { cleanToken } from '../validation';
import { choicesSummary, confirmVerification, inspectVerificationToken } from '../verification';
import type { ContentType, EmailFrequency, User } from '../../../db/schema';
import { preferencesOf } from './preferences';
import { afterResponse, nowOf, redirectTo, render, respond, tOf, type PageResult, type ReaderDeps } from './deps';
import { formRefusal } from './messages';

/** The preferences link handed out right after confirming. */
const PREFERENCES_AFTER_VERIFY_TTL_SECONDS = 7 * DAY;
/** The welcome mail's preferences link: it stays in the inbox, so it lives longer. */
const WELCOME_PREFERENCES_TTL_SECONDS = 60 * DAY;

export type VerifyView =
  | { state: 'confirm'; token: string; email: string; locale: string | null }
  | { state: 'expired' }
  | { state: 'invalid'; reason?: string };

export async function showVerify(db: Db, url: URL, deps: Pick<ReaderDeps, 'now'>): Promise<PageResult<VerifyView>> {
  const token = cleanToken(url.searchParams.get('token'));
  const found = await inspectVerificationToken(db, token, nowOf(deps));
  if (found.state === 'valid') return render({ state: 'confirm', token: token!, email: found.user.email, locale: found.user.locale });
  if (found.state === 'expired') return render({ state: 'expired' }, 410);
  return render({ state: 'invalid' }, 404);
}

export async function handleVerify(db: Db, request: Request, deps: ReaderDeps): Promise<PageResult<VerifyView>> {
  const body = await readForm(request);
  if (!body.ok) return render({ state: 'invalid', reason: formRefusal(body, tOf(deps)) }, body.status);
  const now = nowOf(deps);
  const confirmed = await confirmVerification(db, cleanToken(formText(body.form, 'token')), now);
  if (!confirmed.ok) return confirmed.state === 'expired' ? render({ state: 'expired' }, 410) : render({ state: 'invalid' }, 404);

  const meta = requestMeta(request);
  await createNotificationHistory(db, {
    userId: confirmed.user.id,
    action: 'verified',
    details: confirmed.applied ? { ...confirmed.applied } : null,
    ipAddress: meta.ipAddress,
    userAgent: meta.userAgent,
  });
  // Nobody is signed in; a fresh preferences link lets the reader adjust right away.
  const { token } = await createUnsubscribeToken(db, {
    userId: confirmed.user.id,
    tokenType: 'preference_change',
    ttlSeconds: PREFERENCES_AFTER_VERIFY_TTL_SECONDS,
    now,
  });
  const choices = confirmed.applied ?? preferencesOf(confirmed.user);
  await afterResponse(deps, 'verify: sending the welcome email', () => sendWelcome(db, deps, confirmed.user, choices, now));
  return respond(redirectTo(`/preferences?token=${encodeURIComponent(token)}&verified=1`));
}

/**
 * The welcome mail (template `welcome`): restates the confirmed choices; its one link is a fresh
 * preferences link of its own. Queued like every account mail, after the answer.
 */
async function sendWelcome(db: Db, deps: ReaderDeps, user: User, choices: { contentTypes: ContentType[]; frequency: EmailFrequency }, now: Date) {
  const { token } = await createUnsubscribeToken(db, { userId: user.id, tokenType: 'preference_change', ttlSeconds: WELCOME_PREFERENCES_TTL_SECONDS, now });
  const verifyUrl = `${deps.siteUrl}/preferences?token=${encodeURIComponent(token)}`;
  await deps.sendVerification(db, { userId: user.id, email: user.email, verifyUrl, kind: 'welcome', summary: choicesSummary(choices, tOf(deps)) });
}
