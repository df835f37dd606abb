/**
 * `npx astro-d1-notify admin:grant <email>` and `admin:revoke <email>`: give (or take back) the
 * admin role of an existing account, on the local D1 or (`--remote`) the deployed one through
 * the D1 HTTP API. The role is never self-service: nothing on the web can grant it.
 */
import { setAdminRoleOn } from '../../db/admin/roles';
import { parseEmailArgs, resolveCliTarget, withTarget, type CommandContext } from './db-target';

async function setRole(name: 'admin:grant' | 'admin:revoke', args: readonly string[], ctx: CommandContext, now: Date): Promise<number> {
  const admin = name === 'admin:grant';
  const { values, email } = parseEmailArgs(args, {}, `npx astro-d1-notify ${name} author@example.com`);
  const target = resolveCliTarget(values, ctx.env, ctx.root);
  const result = await withTarget(target, (db) => setAdminRoleOn(db, email, admin, `cli:${name}`, now));
  if (!result) {
    ctx.log(`No account with that address on ${target.label}: the person signs up first, then you grant the role.`);
    return 1;
  }
  const what = admin ? 'now has' : 'no longer has';
  ctx.log(
    result.changed
      ? `${result.email} ${what} the admin role (${target.label}).`
      : `${result.email} was already ${admin ? 'an admin' : 'a reader'} (${target.label}).`,
  );
  return 0;
}

export const adminGrantCommand = (args: readonly string[], ctx: CommandContext, now = new Date()) => setRole('admin:grant', args, ctx, now);
export const adminRevokeCommand = (args: readonly string[], ctx: CommandContext, now = new Date()) => setRole('admin:revoke', args, ctx, now);
