/**
 * `npx astro-d1-notify delivery:resume [--remote]`: lifts the complaint pause of bulk sending
 * (db/delivery/pause.ts). Complaints from before this moment stop counting towards the 0.3% limit.
 */
import { resumeBulkSendingOn } from '../../db/delivery/pause';
import { parseFlags, resolveCliTarget, withTarget, type CommandContext } from './db-target';

export async function deliveryResumeCommand(args: readonly string[], ctx: CommandContext, now = new Date()): Promise<number> {
  const flags = parseFlags(args, {});
  const target = resolveCliTarget(flags, ctx.env, ctx.root);
  const before = await withTarget(target, (db) => resumeBulkSendingOn(db, now));
  ctx.log(
    before.paused
      ? `Bulk sending resumed on ${target.label}. It had been paused since ${before.since}: ${before.reason}`
      : `Bulk sending is not paused on ${target.label}; nothing to do.`,
  );
  return 0;
}
