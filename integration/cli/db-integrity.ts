/**
 * `npm run db:integrity [-- --remote] [--json]`: SQLite's storage and foreign-key checks plus
 * the spec's consistency queries (db/integrity.ts). Exit code 0 when all is well, 1 when a
 * check found something, 2 on a usage error.
 */
import { formatIntegrityReport, runIntegrityCheck } from '../../db/integrity';
import { isMain, parseFlags, processContext, resolveCliTarget, runCli, withTarget, type CommandContext } from './db-target';

const HELP = `npm run db:integrity -- [--local | --remote] [--json] [--config wrangler.jsonc]
  PRAGMA quick_check (D1 refuses integrity_check), PRAGMA foreign_key_check and the consistency
  queries; prints a count per check. Exit code 1 when anything is wrong.`;

export async function integrityCommand(args: readonly string[], ctx: CommandContext): Promise<number> {
  const flags = parseFlags(args, { json: { type: 'boolean' } });
  if (flags.help) {
    ctx.log(HELP);
    return 0;
  }
  const target = resolveCliTarget(flags, ctx.env, ctx.root);
  const report = await withTarget(target, (db) => runIntegrityCheck(db));
  ctx.log(flags.json ? JSON.stringify(report, null, 2) : `Integrity of ${target.label}\n${formatIntegrityReport(report)}`);
  return report.ok ? 0 : 1;
}

if (isMain(import.meta.url)) runCli(() => integrityCommand(process.argv.slice(2), processContext()));
