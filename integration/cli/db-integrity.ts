/**
 * `npx astro-d1-notify db:integrity [--remote] [--json]`: SQLite's storage and foreign-key checks plus
 * the spec's consistency queries (db/maintenance/integrity.ts). Exit code 0 when all is well, 1 when a
 * check found something, 2 on a usage error.
 */
import { formatIntegrityReport, runIntegrityCheck } from '../../db/maintenance/integrity';
import { parseFlags, resolveCliTarget, withTarget, type CommandContext } from './db-target';

export async function integrityCommand(args: readonly string[], ctx: CommandContext): Promise<number> {
  const flags = parseFlags(args, { json: { type: 'boolean' } });
  const target = resolveCliTarget(flags, ctx.env, ctx.root);
  const report = await withTarget(target, (db) => runIntegrityCheck(db));
  ctx.log(flags.json ? JSON.stringify(report, null, 2) : `Integrity of ${target.label}\n${formatIntegrityReport(report)}`);
  return report.ok ? 0 : 1;
}
