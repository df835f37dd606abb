/** The admin role: granted and revoked only from the command line (`npx astro-d1-notify admin:grant`), never self-service. */
import { d1Of, type Db } from '../client';
import { ADMIN_AUDIT_INSERT } from './audit';
import { d1Runner, stmt, type SqlRunner } from '../sql-runner';
import { normalizeEmail } from '../readers/users';
import { toUnixSeconds } from '../time';

export type RoleChange = { email: string; changed: boolean } | null;

/**
 * Sets the role of the account with that email and records it, on any SqlRunner (a binding,
 * local D1, the D1 HTTP API); null when there is no such account (nothing is written then).
 */
export async function setAdminRoleOn(runner: SqlRunner, email: string, admin: boolean, actor: string, now = new Date()): Promise<RoleChange> {
  const address = normalizeEmail(email);
  const role = admin ? 'admin' : 'reader';
  const [found] = await runner.query<{ id: string }>(stmt('SELECT id FROM users WHERE email = ?1', address));
  if (!found) return null;
  const at = toUnixSeconds(now);
  const [changed = 0] = await runner.batch([
    stmt('UPDATE users SET role = ?2, updated_at = ?3 WHERE email = ?1 AND role <> ?2', address, role, at),
    stmt(ADMIN_AUDIT_INSERT, actor, admin ? 'role_granted' : 'role_revoked', 'user', address, null, null, at),
  ]);
  return { email: address, changed: changed > 0 };
}

export const setAdminRole = (db: Db, email: string, admin: boolean, actor: string, now = new Date()): Promise<RoleChange> =>
  setAdminRoleOn(d1Runner(d1Of(db)), email, admin, actor, now);
