import { index, integer, sqliteTable, text, uniqueIndex } from 'drizzle-orm/sqlite-core';
import { createdAt } from './columns';
import { emailTemplates } from './templates';

/**
 * The author console's audit trail: every admin action with its actor (the Access identity,
 * an admin account's email, or `dev-bypass`). Reader-facing history stays in
 * email_notification_history; this table also holds actions that have no reader (a post held,
 * a template saved, an import with its consent attestation).
 */
export const adminAuditLog = sqliteTable(
  'admin_audit_log',
  {
    id: text('id').primaryKey(),
    actor: text('actor').notNull(),
    action: text('action').notNull(),
    /** What the action was about: `content`, `user`, `template`, `import`. */
    targetType: text('target_type'),
    targetId: text('target_id'),
    details: text('details', { mode: 'json' }).$type<Record<string, unknown>>(),
    ipAddress: text('ip_address'),
    createdAt: createdAt(),
  },
  (t) => [index('idx_admin_audit_created').on(t.createdAt), index('idx_admin_audit_target').on(t.targetType, t.targetId)],
);

/** Every saved version of a template (the live row in email_templates carries the current `version`). */
export const emailTemplateVersions = sqliteTable(
  'email_template_versions',
  {
    id: text('id').primaryKey(),
    templateId: text('template_id')
      .notNull()
      .references(() => emailTemplates.id, { onDelete: 'cascade' }),
    version: integer('version').notNull(),
    subjectTemplate: text('subject_template').notNull(),
    htmlTemplate: text('html_template').notNull(),
    textTemplate: text('text_template').notNull(),
    createdBy: text('created_by').notNull(),
    createdAt: createdAt(),
  },
  (t) => [uniqueIndex('idx_email_template_versions_unique').on(t.templateId, t.version)],
);

export type AdminAuditEntry = typeof adminAuditLog.$inferSelect;
export type EmailTemplateVersion = typeof emailTemplateVersions.$inferSelect;
