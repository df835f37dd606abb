/**
 * `npx astro-d1-notify db:stats [--remote] [--json]`: rows per table and the query plans of the hot
 * queries (db/maintenance/stats.ts).
 */
import { collectDbStats, formatDbStats } from '../../db/maintenance/stats';
import { parseFlags, resolveCliTarget, withTarget, type CommandContext } from './db-target';

export async function statsCommand(args: readonly string[], ctx: CommandContext): Promise<number> {
  const flags = parseFlags(args, { json: { type: 'boolean' } });
  const target = resolveCliTarget(flags, ctx.env, ctx.root);
  const stats = await withTarget(target, (db) => collectDbStats(db));
  ctx.log(flags.json ? JSON.stringify(stats, null, 2) : `Statistics of ${target.label}\n\n${formatDbStats(stats)}`);
  return 0;
}
