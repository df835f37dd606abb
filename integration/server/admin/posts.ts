/** POST /admin/posts/:id/action — send now, schedule, hold, release, cancel, retry failed, or send a test to me. */
import type { Db } from '../../../db/client';
import { approvePost, getPostWithProgress, cancelPost, postRecipients, retryFailed, setPostHeld } from '../../../db/admin/posts';
import { recordAdminAction } from '../../../db/admin/audit';
import type { RunSummary } from '../../delivery/processor';
import type { DispatchSummary } from '../../delivery/queue-dispatch';
import type { Transport } from '../../delivery/transport';
import { formText } from '../forms';
import { parseEmail } from '../validation';
import { forbiddenPage } from './gate';
import { sendTestEmail, type PreviewConfig } from './preview';
import { backTo, type ActionContext } from './request';
import { utcTime } from './approval';
import { afterResponse } from '../reader/deps';

export type PostActionDeps = {
  db: Db;
  config: PreviewConfig;
  transport: Transport;
  now?: () => Date;
  /** One delivery run as DELIVERY_MODE says (delivery/queue-handlers.ts `runDelivery`): Send now starts it. */
  deliverNow?: () => Promise<RunSummary | DispatchSummary>;
  /** Starts work after the answer (the Worker's waitUntil); without it the work runs before the answer. */
  afterResponse?: (work: () => Promise<unknown>) => void;
};

export const POST_OPS = ['send', 'schedule', 'hold', 'release', 'cancel', 'retry', 'test'] as const;

/** A `datetime-local` value (`2026-12-08T09:30`), read as UTC: the console shows every time in UTC. */
export function parseSendAt(value: string): Date | null {
  const m = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})(?::(\d{2}))?$/.exec(value.trim());
  if (!m) return null;
  const [y, mo, d, h, mi, sec] = m.slice(1).map((x) => Number(x ?? 0)) as [number, number, number, number, number, number];
  const at = new Date(Date.UTC(y, mo - 1, d, h, mi, sec));
  // Date.UTC rolls 2026-02-30 over to March: a date that does not exist is refused, not moved.
  return at.getUTCMonth() === mo - 1 && at.getUTCDate() === d && h < 24 && mi < 60 ? at : null;
}

const utc = utcTime;

const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`;

export async function postAction(deps: PostActionDeps, ctx: ActionContext, id: string): Promise<Response> {
  const op = formText(ctx.form, 'op');
  if (!op || !(POST_OPS as readonly string[]).includes(op)) return forbiddenPage(`unknown action; use one of ${POST_OPS.join(', ')}`, 400);
  const post = await getPostWithProgress(deps.db, id);
  if (!post) return forbiddenPage('there is no such post', 404);
  const now = deps.now?.() ?? new Date();
  const who = { actor: ctx.identity.actor, ipAddress: ctx.ipAddress };
  const page = `/admin/posts/${encodeURIComponent(id)}`;

  if (op === 'send' || op === 'schedule') {
    if (post.notificationSent) return backTo(page, 'This post has already gone out or was cancelled: nothing to send.');
    let sendAt: Date | null = null;
    if (op === 'schedule') {
      sendAt = parseSendAt(formText(ctx.form, 'send_at') ?? '');
      if (!sendAt) return backTo(page, 'Not scheduled: give a date and time (UTC), e.g. 2026-12-08 09:30.');
      if (sendAt <= now) return backTo(page, `Not scheduled: ${utc(sendAt)} has passed. Choose a later time, or use Send now.`);
    }
    const approved = await approvePost(deps.db, id, sendAt, who, now);
    if (sendAt) return backTo(page, `Scheduled: it goes out with the first delivery run after ${utc(sendAt)}.`);
    // A post dated in the future is fanned out once published: the run would find nothing to send yet.
    if (post.publishDate > now) return backTo(page, `Sent: it goes out when published, ${utc(post.publishDate)}.`);
    const deliverNow = deps.deliverNow;
    if (!approved.found || !deliverNow) return backTo(page, 'Sent: it goes out with the next delivery run.');
    // Readers on a digest are named only when the post has some: the rest is "going out now".
    const onDigest = await postRecipients(deps.db, id, now).then((w) => (w ? w.recipients.daily + w.recipients.weekly : 0));
    await afterResponse(deps, 'send now: the delivery run', async () => {
      console.log(JSON.stringify({ event: 'notifications_processed', trigger: 'send_now', ...(await deliverNow()) }));
    });
    const digestWords = onDigest > 0 ? ` ${plural(onDigest, 'reader')} on a digest get${onDigest === 1 ? 's' : ''} it in their next digest.` : '';
    return backTo(page, `Sent: the mail is going out now.${digestWords}`);
  }
  if (op === 'hold' || op === 'release') {
    await setPostHeld(deps.db, id, op === 'hold', who, now);
    return backTo(page, op === 'hold' ? 'Post held: nothing more goes out for it until you release it.' : 'Post released.');
  }
  if (op === 'cancel') {
    // Cancelled mail is never sent: the form carries a ticked confirmation, as erase does.
    if (formText(ctx.form, 'confirm') !== 'yes')
      return forbiddenPage('tick “I understand the unsent mail for this post is cancelled for good” to cancel it', 400);
    const result = await cancelPost(deps.db, id, who, now);
    return backTo(page, `Cancelled ${plural(result.rows, 'unsent notification')}.`);
  }
  if (op === 'retry') {
    const result = await retryFailed(deps.db, id, who, now);
    return backTo(page, `${plural(result.rows, 'failed notification')} queued again.`);
  }
  const errors: Record<string, string> = {};
  const to = parseEmail(formText(ctx.form, 'to') || ctx.identity.email || '', errors, 'to');
  if (errors.to) return backTo(page, `No test sent: ${errors.to}`);
  const result = await sendTestEmail(deps.db, deps.config, deps.transport, post, to);
  await recordAdminAction(deps.db, { ...who, action: 'post_test_sent', targetType: 'content', targetId: id, details: { to, ok: result.ok } }, now);
  return backTo(page, result.ok ? `Test sent to ${to}.` : `The test could not be sent: ${result.error}`);
}
