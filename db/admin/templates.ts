/**
 * Template versions for the console's editor. email_templates keeps the live template (its
 * `version` is the current one); email_template_versions keeps every saved version. A save
 * is ONE batch(): the version being replaced is kept (if it was never saved here, e.g. the
 * seeded default), the live row is updated only if nobody saved in between (the expected
 * version), the new version is stored, and the audit row written.
 */
import { asc, desc, eq } from 'drizzle-orm';
import { d1Of, type Db } from '../client';
import { emailTemplates, emailTemplateVersions, type EmailTemplate, type EmailTemplateVersion } from '../schema';
import { assertTemplateSafety, type TemplateDraft } from '../content/template-safety';
import { assertTemplateVariables } from '../content/template-variables';
import { toUnixSeconds } from '../time';

export type { TemplateDraft };

export const MAX_TEMPLATE_BYTES = 100_000; // far above any email; well inside D1's row limits

export async function listTemplates(db: Db): Promise<EmailTemplate[]> {
  return db.select().from(emailTemplates).orderBy(asc(emailTemplates.templateName));
}

export async function getTemplate(db: Db, id: string): Promise<{ template: EmailTemplate; versions: EmailTemplateVersion[] } | null> {
  const template = await db.query.emailTemplates.findFirst({ where: eq(emailTemplates.id, id) });
  if (!template) return null;
  const versions = await db.select().from(emailTemplateVersions).where(eq(emailTemplateVersions.templateId, id)).orderBy(desc(emailTemplateVersions.version));
  return { template, versions };
}

const KEEP_CURRENT = `INSERT INTO email_template_versions (id, template_id, version, subject_template, html_template, text_template, created_by, created_at)
  SELECT lower(hex(randomblob(16))), id, version, subject_template, html_template, text_template, 'before the console', updated_at
  FROM email_templates WHERE id = ?1 AND version = ?2
  ON CONFLICT (template_id, version) DO NOTHING`;
const UPDATE_LIVE = `UPDATE email_templates SET subject_template = ?3, html_template = ?4, text_template = ?5, version = version + 1, updated_at = ?6
  WHERE id = ?1 AND version = ?2 RETURNING version`;
const STORE_NEW = `INSERT INTO email_template_versions (id, template_id, version, subject_template, html_template, text_template, created_by, created_at)
  SELECT lower(hex(randomblob(16))), id, version, subject_template, html_template, text_template, ?3, ?4
  FROM email_templates WHERE id = ?1 AND version = ?2 + 1 AND updated_at = ?4
  ON CONFLICT (template_id, version) DO NOTHING`;

export type SaveResult = { ok: true; version: number } | { ok: false; reason: 'not_found' | 'conflict' };

/**
 * Saves a draft as the next version. Throws TemplateVariableError (or a Mustache syntax
 * error) for a template using variables the delivery code does not provide, as
 * createEmailTemplate does, and TemplateSafetyError for one that drops the unsubscribe link or
 * the postal address or outputs a value unescaped (db/content/template-safety.ts). `expectedVersion` is the version the editor started from.
 */
export async function saveTemplateVersion(
  db: Db,
  template: Pick<EmailTemplate, 'id' | 'templateType'>,
  expectedVersion: number,
  draft: TemplateDraft,
  who: { actor: string; ipAddress?: string | null; restoredFrom?: number },
  now = new Date(),
): Promise<SaveResult> {
  assertTemplateVariables(template.templateType, draft);
  assertTemplateSafety(draft); // the unsubscribe link, the postal address, nothing unescaped
  const size = draft.subjectTemplate.length + draft.htmlTemplate.length + draft.textTemplate.length;
  if (size > MAX_TEMPLATE_BYTES) throw new RangeError(`the template is too large (${size} characters; at most ${MAX_TEMPLATE_BYTES})`);
  const d1 = d1Of(db);
  const at = toUnixSeconds(now);
  const [, updated] = await d1.batch<{ version: number }>([
    d1.prepare(KEEP_CURRENT).bind(template.id, expectedVersion),
    d1.prepare(UPDATE_LIVE).bind(template.id, expectedVersion, draft.subjectTemplate, draft.htmlTemplate, draft.textTemplate, at),
    // Audited only when this save is the one that happened: changes() is the UPDATE's row count
    // (a stale save in the same second as the winning one would otherwise match by version and time).
    d1
      .prepare(
        `INSERT INTO admin_audit_log (id, actor, action, target_type, target_id, details, ip_address, created_at)
         SELECT lower(hex(randomblob(16))), ?3, ?4, 'template', ?1, ?5, ?6, ?7 WHERE changes() = 1`,
      )
      .bind(
        template.id,
        expectedVersion,
        who.actor,
        who.restoredFrom ? 'template_restored' : 'template_saved',
        JSON.stringify({ fromVersion: expectedVersion, ...(who.restoredFrom ? { restoredFrom: who.restoredFrom } : {}) }),
        who.ipAddress ?? null,
        at,
      ),
    d1.prepare(STORE_NEW).bind(template.id, expectedVersion, who.actor, at),
  ]);
  const version = updated?.results[0]?.version;
  if (version !== undefined) return { ok: true, version };
  const exists = await d1.prepare('SELECT 1 FROM email_templates WHERE id = ?1').bind(template.id).first();
  return { ok: false, reason: exists ? 'conflict' : 'not_found' };
}
