/** POST /admin/subscribers/:id/action — suppress or unsubscribe a reader (audited, with the actor). */
import type { Db } from '../../../db/client';
import { suppressSubscriber, unsubscribeSubscriber } from '../../../db/admin-subscribers';
import { formText } from '../forms';
import { forbiddenPage } from './gate';
import { backTo, type ActionContext } from './request';

export const SUBSCRIBER_OPS = ['suppress', 'unsubscribe'] as const;

export async function subscriberAction(deps: { db: Db; now?: () => Date }, ctx: ActionContext, id: string): Promise<Response> {
  const op = formText(ctx.form, 'op');
  if (!op || !(SUBSCRIBER_OPS as readonly string[]).includes(op)) return forbiddenPage(`unknown action; use one of ${SUBSCRIBER_OPS.join(', ')}`, 400);
  const who = { actor: ctx.identity.actor, ipAddress: ctx.ipAddress };
  const now = deps.now?.() ?? new Date();
  const done = op === 'suppress' ? await suppressSubscriber(deps.db, id, who, now) : await unsubscribeSubscriber(deps.db, id, who, now);
  if (!done) return forbiddenPage('there is no such subscriber', 404);
  return backTo(`/admin/subscribers/${encodeURIComponent(id)}`, op === 'suppress' ? 'Address suppressed: it gets no more mail.' : 'Reader unsubscribed from everything.');
}
