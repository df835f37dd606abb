/**
 * POST /admin/subscribers/:id/action — suppress, unsubscribe or erase a reader (audited, with the actor);
 * suppress and erase need the ticked `confirm` box.
 */
import type { Db } from '../../../db/client';
import { suppressSubscriber, unsubscribeSubscriber } from '../../../db/admin/subscribers';
import { eraseReader } from '../../../db/readers/data-rights';
import { getUserById } from '../../../db/readers/users';
import { formText } from '../forms';
import { forbiddenPage } from './gate';
import { backTo, type ActionContext } from './request';

export const SUBSCRIBER_OPS = ['suppress', 'unsubscribe', 'erase'] as const;

export async function subscriberAction(deps: { db: Db; now?: () => Date }, ctx: ActionContext, id: string): Promise<Response> {
  const op = formText(ctx.form, 'op');
  if (!op || !(SUBSCRIBER_OPS as readonly string[]).includes(op)) return forbiddenPage(`unknown action; use one of ${SUBSCRIBER_OPS.join(', ')}`, 400);
  const who = { actor: ctx.identity.actor, ipAddress: ctx.ipAddress };
  const now = deps.now?.() ?? new Date();
  if (op === 'erase') return erase(deps.db, ctx, id, who, now);
  if (op === 'suppress' && formText(ctx.form, 'confirm') !== 'yes')
    return forbiddenPage('tick “I understand this address gets no more mail” to suppress it', 400);
  const done = op === 'suppress' ? await suppressSubscriber(deps.db, id, who, now) : await unsubscribeSubscriber(deps.db, id, who, now);
  if (!done) return forbiddenPage('there is no such subscriber', 404);
  return backTo(
    `/admin/subscribers/${encodeURIComponent(id)}`,
    op === 'suppress' ? 'Address suppressed: it gets no more mail.' : 'Reader unsubscribed from everything.',
  );
}

/** Erasure cannot be undone: the form must also carry the ticked `confirm` box. */
async function erase(db: Db, ctx: ActionContext, id: string, who: { actor: string; ipAddress: string | null }, now: Date): Promise<Response> {
  if (formText(ctx.form, 'confirm') !== 'yes') return forbiddenPage('tick “I understand this cannot be undone” to erase a reader', 400);
  const user = await getUserById(db, id);
  if (!user) return forbiddenPage('there is no such subscriber', 404);
  const result = await eraseReader(db, user, { ...who, details: { via: 'console' } }, now);
  if (!result.erased) return forbiddenPage('there is no such subscriber', 404);
  return backTo('/admin/subscribers', result.suppressionKept ? 'Reader erased; their address hash stays on the suppression list.' : 'Reader erased.');
}
