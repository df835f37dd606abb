/**
 * /admin/templates/:id — GET shows the editor with the live template previewed on a real
 * post; POST `op=preview` renders the unsaved draft, `op=save` stores it as the next version
 * (variables checked as createEmailTemplate does), `op=restore` makes an earlier version the
 * next one, `op=test` sends the draft as edited (to the signed-in author by default) through the
 * post page's test send. Syntax errors and unknown variables are listed beside the preview
 * (template-check.ts); a draft with a syntax error is not saved. Save and restore answer 303 back
 * to the editor; preview and test answer the editor with the draft kept.
 */
import type { Db } from '../../../db/client';
import { answerableErrorText } from '../../../db/safe-error';
import { getTemplate, saveTemplateVersion, type TemplateDraft } from '../../../db/admin/templates';
import { TemplateSafetyError } from '../../../db/content/template-safety';
import { TemplateVariableError } from '../../../db/content/template-variables';
import type { EmailTemplate, EmailTemplateVersion } from '../../../db/schema';
import { recordAdminAction } from '../../../db/admin/audit';
import type { Rendered } from '../../delivery/render';
import type { Transport } from '../../delivery/transport';
import { formText } from '../forms';
import { parseEmail } from '../validation';
import { forbiddenPage } from './gate';
import { renderTemplatePreview, sendRenderedTest, type PreviewConfig } from './preview';
import { checkTemplate, syntaxMessage, type TemplateCheck } from './template-check';
import { backTo, type ActionContext } from './request';

export type TemplateEditorView = {
  template: EmailTemplate;
  versions: EmailTemplateVersion[];
  draft: TemplateDraft;
  /** The version the draft started from (sent back on save, to catch a concurrent save). */
  baseVersion: number;
  preview: { rendered: Rendered; on: string } | null;
  /** Syntax errors and unknown variables of the draft, shown beside the preview. */
  check: TemplateCheck;
  error: string | null;
  /** What just happened (a test sent), for a page that answers without a redirect. */
  notice: string | null;
  status: number;
};

export type TemplateDeps = { db: Db; config: PreviewConfig; transport: Transport; recipient: string; now?: () => Date };

const draftOf = (t: Pick<EmailTemplate, 'subjectTemplate' | 'htmlTemplate' | 'textTemplate'>): TemplateDraft => ({
  subjectTemplate: t.subjectTemplate,
  htmlTemplate: t.htmlTemplate,
  textTemplate: t.textTemplate,
});

type Found = { template: EmailTemplate; versions: EmailTemplateVersion[] };

async function view(
  deps: TemplateDeps,
  found: Found,
  draft: TemplateDraft,
  baseVersion: number,
  error: string | null = null,
  notice: string | null = null,
): Promise<TemplateEditorView> {
  const check = checkTemplate(found.template.templateType, draft);
  let preview: TemplateEditorView['preview'] = null;
  let problem = error;
  // A template Mustache cannot parse renders nothing: the syntax errors stand where the preview would be.
  if (check.syntax.length === 0) {
    try {
      preview = await renderTemplatePreview(deps.db, deps.config, { ...found.template, ...draft }, deps.recipient);
    } catch (e) {
      problem ??= `The draft cannot be rendered: ${answerableErrorText(e, 'try again')}`;
    }
  }
  return { ...found, draft, baseVersion, preview, check, error: problem, notice, status: problem ? 400 : 200 };
}

/** The draft as edited, sent to one address (the signed-in author unless the form names another). */
async function testSend(
  deps: TemplateDeps,
  ctx: ActionContext,
  found: Found,
  draft: TemplateDraft,
  baseVersion: number,
  now: Date,
): Promise<TemplateEditorView> {
  const check = checkTemplate(found.template.templateType, draft);
  if (check.syntax.length > 0) return view(deps, found, draft, baseVersion, `No test sent. ${syntaxMessage(check.syntax)}`);
  const errors: Record<string, string> = {};
  const to = parseEmail(formText(ctx.form, 'to') || ctx.identity.email || '', errors, 'to');
  if (errors.to) return view(deps, found, draft, baseVersion, `No test sent: ${errors.to}`);
  const shown = await renderTemplatePreview(deps.db, deps.config, { ...found.template, ...draft }, to).catch(() => null);
  if (!shown) return view(deps, found, draft, baseVersion, 'No test sent: there is no post to render this template on yet (publish one with astro build).');
  const result = await sendRenderedTest(deps.config, deps.transport, shown.rendered, to, found.template.templateType);
  const who = { actor: ctx.identity.actor, ipAddress: ctx.ipAddress };
  await recordAdminAction(
    deps.db,
    { ...who, action: 'template_test_sent', targetType: 'template', targetId: found.template.id, details: { to, ok: result.ok } },
    now,
  );
  if (!result.ok) return view(deps, found, draft, baseVersion, `The test could not be sent: ${result.error}`);
  return view(deps, found, draft, baseVersion, null, `Test of this draft sent to ${to}.`);
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
    const saved = await saveTemplateVersion(deps.db, found.template, found.template.version, draftOf(version), { ...who, restoredFrom: wanted }, now).catch(
      (e: unknown) => {
        if (e instanceof TemplateSafetyError || e instanceof TemplateVariableError) return e;
        throw e;
      },
    );
    if (saved instanceof Error) return backTo(page, `Version ${wanted} cannot be restored: ${saved.message}`);
    return saved.ok
      ? backTo(page, `Version ${wanted} restored as version ${saved.version}.`)
      : backTo(page, 'Someone saved this template meanwhile; nothing was restored.');
  }
  if (op !== 'preview' && op !== 'save' && op !== 'test') return forbiddenPage('unknown action; use preview, save, test or restore', 400);

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
  if (op === 'test') return testSend(deps, ctx, found, draft, baseVersion, now);
  const check = checkTemplate(found.template.templateType, draft);
  if (check.syntax.length > 0) return view(deps, found, draft, baseVersion, `Not saved. ${syntaxMessage(check.syntax)}`);
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
