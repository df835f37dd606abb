/** The author console's audit trail (admin_audit_log): one row per admin action, with its actor. */
import { desc } from 'drizzle-orm';
import { d1Of, type Db } from '../client';
import { adminAuditLog, type AdminAuditEntry } from '../schema';
import { toUnixSeconds } from '../time';

export type AdminAction = {
  actor: string;
  action: string;
  targetType?: string | null;
  targetId?: string | null;
  details?: Record<string, unknown> | null;
  ipAddress?: string | null;
};

export const ADMIN_AUDIT_INSERT = `INSERT INTO admin_audit_log (id, actor, action, target_type, target_id, details, ip_address, created_at)
  VALUES (lower(hex(randomblob(16))), ?1, ?2, ?3, ?4, ?5, ?6, ?7)`;

/** The un-executed insert, to put in the same batch() as the change it records. */
export function adminAuditStatement(db: Db, entry: AdminAction, now = new Date()): D1PreparedStatement {
  if (!entry.actor || !entry.action) throw new Error('an admin action needs an actor and an action');
  return d1Of(db)
    .prepare(ADMIN_AUDIT_INSERT)
    .bind(
      entry.actor,
      entry.action,
      entry.targetType ?? null,
      entry.targetId ?? null,
      entry.details ? JSON.stringify(entry.details) : null,
      entry.ipAddress ?? null,
      toUnixSeconds(now),
    );
}

export async function recordAdminAction(db: Db, entry: AdminAction, now = new Date()): Promise<void> {
  await adminAuditStatement(db, entry, now).run();
}

export async function recentAdminActions(db: Db, limit = 50): Promise<AdminAuditEntry[]> {
  return db.select().from(adminAuditLog).orderBy(desc(adminAuditLog.createdAt)).limit(limit);
}
