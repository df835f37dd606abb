/**
 * The address-confirmation email of the double opt-in, queued as a notification like any
 * other (content_type 'system', notification_type 'verification', template 'verification'),
 * so it gets the same Message-ID-before-send, retries, pacing, history and statistics.
 * The subscribe route queues it and then sends it at once with
 * `processNotifications(deps, { onlyNotificationIds: [id] })`; if that run cannot send it
 * (pacing, a transient error) the next scheduled run will.
 *
 * It is transactional, yet it carries List-Unsubscribe: its one-click token has no content
 * type, so using it unsubscribes the address from everything. That is the right answer for
 * "I never asked for this" and keeps the subscribe form from being used to mail-bomb someone.
 * Sign-in and set-password links, and the welcome mail after confirming (its one link: a fresh
 * preferences link), travel the same way (kinds below). A verification email's
 * content_excerpt holds the summary of the choices made with its token, so the mail restates them.
 */
import type { Db } from '../../db/client';
import { sha256Hex } from '../../db/crypto';
import { queueSystemNotification } from '../../db/delivery/notifications';

/** The emails this module queues: each kind has its own template (see SYSTEM_TEMPLATES) and content_id prefix. */
export type AccountEmailKind = 'verification' | 'sign_in' | 'set_password' | 'welcome';

const SUBJECTS: Record<AccountEmailKind, string> = {
  verification: 'Confirm your subscription',
  sign_in: 'Sign in',
  set_password: 'Set your password',
  welcome: 'Welcome',
};
const PREFIXES: Record<AccountEmailKind, string> = { verification: 'verify', sign_in: 'sign_in', set_password: 'set_password', welcome: 'welcome' };

/** The template of a `verification` notification, by the prefix of its content_id. */
export function systemTemplateFor(contentId: string): string {
  if (contentId.startsWith(`${PREFIXES.sign_in}:`)) return 'sign_in_link';
  if (contentId.startsWith(`${PREFIXES.set_password}:`)) return 'set_password';
  if (contentId.startsWith(`${PREFIXES.welcome}:`)) return 'welcome';
  return 'verification';
}

/**
 * Queues the email and returns its notification id. `content_id` is `verify:` + a hash prefix
 * of the link, so one link is queued once (calling again returns the same id) and a new link
 * (a new token) is a new email.
 */
export async function queueVerificationEmail(
  db: Db,
  {
    userId,
    email,
    verifyUrl,
    kind = 'verification',
    summary = null,
    now = new Date(),
  }: { userId: string; email: string; verifyUrl: string; kind?: AccountEmailKind; summary?: string | null; now?: Date },
): Promise<string> {
  if (!/^https?:\/\//.test(verifyUrl)) throw new Error('verifyUrl must be an absolute http(s) URL');
  if (!email) throw new Error('queueVerificationEmail: email is required');
  const contentId = `${PREFIXES[kind]}:${(await sha256Hex(verifyUrl)).slice(0, 24)}`;
  return queueSystemNotification(db, { userId, contentId, title: SUBJECTS[kind], url: verifyUrl, excerpt: summary, now });
}
