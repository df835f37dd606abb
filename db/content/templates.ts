import { and, asc, eq } from 'drizzle-orm';
import type { Db } from '../client';
import { newId } from '../crypto';
import { emailTemplates, TEMPLATE_TYPES, type EmailTemplate } from '../schema';
import { assertTemplateVariables } from './template-variables';

export type CreateEmailTemplateParams = {
  templateName: string;
  templateType: EmailTemplate['templateType'];
  subjectTemplate: string;
  htmlTemplate: string;
  textTemplate: string;
  variables?: string[];
  isActive?: boolean;
  version?: number;
};

/** The active template of that name, or null (an inactive one is as good as missing). */
export async function getEmailTemplate(db: Db, templateName: string): Promise<EmailTemplate | null> {
  const row = await db.query.emailTemplates.findFirst({
    where: and(eq(emailTemplates.templateName, templateName), eq(emailTemplates.isActive, true)),
  });
  return row ?? null;
}

export async function createEmailTemplate(db: Db, params: CreateEmailTemplateParams): Promise<EmailTemplate> {
  if (!TEMPLATE_TYPES.includes(params.templateType)) throw new Error(`Invalid template type: "${params.templateType}"`);
  if (!params.templateName) throw new Error('createEmailTemplate: templateName is required');
  // Refuses a template using a variable the delivery code does not provide (TemplateVariableError).
  assertTemplateVariables(params.templateType, params);
  const [template] = await db
    .insert(emailTemplates)
    .values({
      id: newId(),
      templateName: params.templateName,
      templateType: params.templateType,
      subjectTemplate: params.subjectTemplate,
      htmlTemplate: params.htmlTemplate,
      textTemplate: params.textTemplate,
      variables: params.variables ?? [],
      isActive: params.isActive ?? true,
      version: params.version ?? 1,
    })
    .returning();
  if (!template) throw new Error('createEmailTemplate: the insert returned no row');
  return template;
}

export async function getActiveTemplates(db: Db): Promise<EmailTemplate[]> {
  return db.select().from(emailTemplates).where(eq(emailTemplates.isActive, true)).orderBy(asc(emailTemplates.templateName));
}
