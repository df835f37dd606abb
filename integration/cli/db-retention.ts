/**
 * `npx astro-d1-notify db:retention [--remote] [--outbox-days N]`: what the daily housekeeping cron
 * deletes (expired sessions, unsubscribe tokens and account links, stale rate-limit windows) plus dev-outbox
 * mail older than N days, in one transaction (integration/delivery/housekeeping.ts).
 */
import { DEFAULT_OUTBOX_DAYS, runRetention } from '../delivery/housekeeping';
import { intFlag, parseFlags, resolveCliTarget, withTarget, type CommandContext } from './db-target';

const MAX_OUTBOX_DAYS = 3650;

export async function retentionCommand(args: readonly string[], ctx: CommandContext, now = new Date()): Promise<number> {
  const flags = parseFlags(args, { 'outbox-days': { type: 'string' } });
  const outboxDays = intFlag(flags['outbox-days'], 'outbox-days', DEFAULT_OUTBOX_DAYS, 0, MAX_OUTBOX_DAYS);
  const target = resolveCliTarget(flags, ctx.env, ctx.root);
  const summary = await withTarget(target, (db) => runRetention(db, { now, outboxDays }));
  ctx.log(
    `Retention on ${target.label}: deleted ${summary.sessions} expired session(s), ${summary.tokens} expired unsubscribe token(s), ` +
      `${summary.accountTokens} expired sign-in or password link(s), ${summary.rateLimits} rate-limit window(s), ` +
      `${summary.providerEvents} old provider event id(s), ${summary.devOutbox} dev outbox message(s) older than ${outboxDays} day(s); ` +
      `forgot the token hash of ${summary.consentTokens} unconfirmed consent record(s).`,
  );
  return 0;
}
