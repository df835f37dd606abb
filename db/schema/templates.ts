import { check, index, integer, sqliteTable, text, uniqueIndex } from 'drizzle-orm/sqlite-core';
import { createdAt, oneOf, updatedAt } from './columns';

export const TEMPLATE_TYPES = ['notification', 'system', 'announcement', 'digest'] as const;

export const emailTemplates = sqliteTable(
  'email_templates',
  {
    id: text('id').primaryKey(),
    templateName: text('template_name').notNull(),
    templateType: text('template_type', { enum: TEMPLATE_TYPES }).notNull(),
    subjectTemplate: text('subject_template').notNull(),
    htmlTemplate: text('html_template').notNull(),
    textTemplate: text('text_template').notNull(),
    isActive: integer('is_active', { mode: 'boolean' }).notNull().default(true),
    version: integer('version').notNull().default(1),
    variables: text('variables', { mode: 'json' }).$type<string[]>().notNull().default([]),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [
    uniqueIndex('email_templates_template_name_unique').on(t.templateName),
    index('idx_email_templates_type').on(t.templateType),
    index('idx_email_templates_active').on(t.isActive),
    check('email_templates_template_type_check', oneOf('template_type', TEMPLATE_TYPES)),
  ],
);

export type EmailTemplate = typeof emailTemplates.$inferSelect;
export type NewEmailTemplate = typeof emailTemplates.$inferInsert;
