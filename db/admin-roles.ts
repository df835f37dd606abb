/** The admin role: granted and revoked only from the command line (`npm run admin:grant`), never self-service. */
import { d1Of, type Db } from './client';
import { adminAuditStatement } from './admin-audit';
import { normalizeEmail } from './users';
import { toUnixSeconds } from './time';

export type RoleChange = { email: string; changed: boolean } | null;

/** Sets the role of the account with that email (and records it); null when there is no such account. */
export async function setAdminRole(db: Db, email: string, admin: boolean, actor: string, now = new Date()): Promise<RoleChange> {
  const address = normalizeEmail(email);
  const role = admin ? 'admin' : 'reader';
  const d1 = d1Of(db);
  const [found, updated] = await d1.batch<{ id: string }>([
    d1.prepare('SELECT id FROM users WHERE email = ?1').bind(address),
    d1.prepare('UPDATE users SET role = ?2, updated_at = ?3 WHERE email = ?1 AND role <> ?2 RETURNING id').bind(address, role, toUnixSeconds(now)),
    adminAuditStatement(db, { actor, action: admin ? 'role_granted' : 'role_revoked', targetType: 'user', targetId: address }, now),
  ]);
  if (!found?.results[0]) return null;
  return { email: address, changed: (updated?.results.length ?? 0) > 0 };
}
