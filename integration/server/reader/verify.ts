/** GET /verify?token= shows a confirm button (GET changes nothing); POST /verify confirms. */
import type { Db } from '../../../db/client';
import { createNotificationHistory } from '../../../db/history';
import { createUnsubscribeToken } from '../../../db/unsubscribe-tokens';
import { DAY } from '../../../db/time';
import { formText, readForm } from '../forms';
import { requestMeta } from '../http';
import { cleanToken } from '../validation';
import { confirmVerification, inspectVerificationToken } from '../verification';
import { nowOf, redirectTo, render, respond, type PageResult, type ReaderDeps } from './deps';

/** The preferences link handed out right after confirming. */
const PREFERENCES_AFTER_VERIFY_TTL_SECONDS = 7 * DAY;

export type VerifyView =
  | { state: 'confirm'; token: string; email: string }
  | { state: 'expired' }
  | { state: 'invalid'; reason?: string };

export async function showVerify(db: Db, url: URL, deps: Pick<ReaderDeps, 'now'>): Promise<PageResult<VerifyView>> {
  const token = cleanToken(url.searchParams.get('token'));
  const found = await inspectVerificationToken(db, token, nowOf(deps));
  if (found.state === 'valid') return render({ state: 'confirm', token: token!, email: found.user.email });
  if (found.state === 'expired') return render({ state: 'expired' }, 410);
  return render({ state: 'invalid' }, 404);
}

export async function handleVerify(db: Db, request: Request, deps: Pick<ReaderDeps, 'now'>): Promise<PageResult<VerifyView>> {
  const body = await readForm(request);
  if (!body.ok) return render({ state: 'invalid', reason: body.reason }, body.status);
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
  return respond(redirectTo(`/preferences?token=${encodeURIComponent(token)}&verified=1`));
}
