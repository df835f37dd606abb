/**
 * /admin/templates/:id — GET shows the editor with the live template previewed on a real
 * post; POST `op=preview` renders the unsaved draft, `op=save` stores it as the next version
 * (variables checked as createEmailTemplate does), `op=restore` makes an earlier version the
 * next one. Save and restore answer 303 back to the editor.
 */
import type { Db } from '../../../db/client';
import { answerableErrorText } from '../../../db/safe-error';
import { getTemplate, saveTemplateVersion, type TemplateDraft } from '../../../db/admin-templates';
import { TemplateSafetyError } from '../../../db/template-safety';
import { TemplateVariableError } from '../../../db/template-variables';
import type { EmailTemplate, EmailTemplateVersion } from '../../../db/schema';
import type { Rendered } from '../../delivery/render';
import { formText } from '../forms';
import { forbiddenPage } from './gate';
import { renderTemplatePreview, type PreviewConfig } from './preview';
import { backTo, type ActionContext } from './request';

export type TemplateEditorView = {
  template: EmailTemplate;
  versions: EmailTemplateVersion[];
  draft: TemplateDraft;
  /** The version the draft started from (sent back on save, to catch a concurrent save). */
  baseVersion: number;
  preview: { rendered: Rendered; on: string } | null;
  error: string | null;
  status: number;
};

export type TemplateDeps = { db: Db; config: PreviewConfig; recipient: string; now?: () => Date };

const draftOf = (t: Pick<EmailTemplate, 'subjectTemplate' | 'htmlTemplate' | 'textTemplate'>): TemplateDraft => ({
  subjectTemplate: t.subjectTemplate,
  htmlTemplate: t.htmlTemplate,
  textTemplate: t.textTemplate,
});

async function view(deps: TemplateDeps, found: { template: EmailTemplate; versions: EmailTemplateVersion[] }, draft: TemplateDraft, baseVersion: number, error: string | null = null): Promise<TemplateEditorView> {
  let preview: TemplateEditorView['preview'] = null;
  let problem = error;
  try {
    preview = await renderTemplatePreview(deps.db, deps.config, { ...found.template, ...draft }, deps.recipient);
  } catch (e) {
    problem ??= `The draft cannot be rendered: ${answerableErrorText(e, 'try again')}`;
  }
  return { ...found, draft, baseVersion, preview, error: problem, status: problem ? 400 : 200 };
}

export async function templateEditor(deps: TemplateDeps, id: string, ctx?: ActionContext): Promise<TemplateEditorView | Response> {
  const found = await getTemplate(deps.db, id);
  if (!found) return forbiddenPage('there is no such template', 404);
  if (!ctx) return view(deps, found, draftOf(found.template), found.template.version);

  const op = formText(ctx.form, 'op');
  const who = { actor: ctx.identity.actor, ipAddress: ctx.ipAddress };
  const page = `/admin/templates/${encodeURIComponent(id)}`;
  const now = deps.now?.() ?? new Date();
  if (op === 'restore') {
    const wanted = Number(formText(ctx.form, 'version'));
    const version = found.versions.find((v) => v.version === wanted);
    if (!version) return forbiddenPage('there is no such version', 404);
    const saved = await saveTemplateVersion(deps.db, found.template, found.template.version, draftOf(version), { ...who, restoredFrom: wanted }, now).catch((e: unknown) => {
      if (e instanceof TemplateSafetyError || e instanceof TemplateVariableError) return e;
      throw e;
    });
    if (saved instanceof Error) return backTo(page, `Version ${wanted} cannot be restored: ${saved.message}`);
    return saved.ok ? backTo(page, `Version ${wanted} restored as version ${saved.version}.`) : backTo(page, 'Someone saved this template meanwhile; nothing was restored.');
  }
  if (op !== 'preview' && op !== 'save') return forbiddenPage('unknown action; use preview, save or restore', 400);

  const draft: TemplateDraft = {
    subjectTemplate: formText(ctx.form, 'subject') ?? '',
    htmlTemplate: formText(ctx.form, 'html') ?? '',
    textTemplate: formText(ctx.form, 'text') ?? '',
  };
  const baseVersion = Number(formText(ctx.form, 'base_version'));
  if (!Number.isSafeInteger(baseVersion)) return forbiddenPage('the form is missing the version it started from', 400);
  if (!draft.subjectTemplate.trim() || !draft.htmlTemplate.trim() || !draft.textTemplate.trim()) {
    return view(deps, found, draft, baseVersion, 'Subject, HTML and text are all required.');
  }
  if (op === 'preview') return view(deps, found, draft, baseVersion);
  try {
    const saved = await saveTemplateVersion(deps.db, found.template, baseVersion, draft, who, now);
    if (saved.ok) return backTo(page, `Saved as version ${saved.version}.`);
    return view(deps, found, draft, baseVersion, 'Someone saved this template after you opened it; reload to see their version (your draft is below).');
  } catch (e) {
    // Our own refusals say why; anything else (a database error) is never echoed.
    const known = e instanceof TemplateVariableError || e instanceof TemplateSafetyError || e instanceof RangeError;
    return view(deps, found, draft, baseVersion, known ? (e as Error).message : 'The template could not be saved; try again.');
  }
}
