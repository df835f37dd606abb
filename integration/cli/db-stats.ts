/**
 * `npm run db:stats [-- --remote] [--json]`: rows per table and the query plans of the hot
 * queries (db/db-stats.ts).
 */
import { collectDbStats, formatDbStats } from '../../db/db-stats';
import { isMain, parseFlags, processContext, resolveCliTarget, runCli, withTarget, type CommandContext } from './db-target';

const HELP = `npm run db:stats -- [--local | --remote] [--json] [--config wrangler.jsonc]
  Row counts of every table, and EXPLAIN QUERY PLAN of the subscriber query, the fan-out,
  the claim and the unnotified-content query with the indexes each uses.`;

export async function statsCommand(args: readonly string[], ctx: CommandContext): Promise<number> {
  const flags = parseFlags(args, { json: { type: 'boolean' } });
  if (flags.help) {
    ctx.log(HELP);
    return 0;
  }
  const target = resolveCliTarget(flags, ctx.env, ctx.root);
  const stats = await withTarget(target, (db) => collectDbStats(db));
  ctx.log(flags.json ? JSON.stringify(stats, null, 2) : `Statistics of ${target.label}\n\n${formatDbStats(stats)}`);
  return 0;
}

if (isMain(import.meta.url)) runCli(() => statsCommand(process.argv.slice(2), processContext()));
