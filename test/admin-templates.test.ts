/** The template editor on real local D1: preview of a draft on a real post, variable checks, versions, restore, conflicts. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { getTemplate, listTemplates } from '../db/admin-templates';
import { getEmailTemplate } from '../db/templates';
import { CSRF_COOKIE, type AdminSettings } from '../integration/server/admin/gate';
import { authorizeAdminPost } from '../integration/server/admin/request';
import { templateEditor, type TemplateEditorView } from '../integration/server/admin/templates';
import { createTestD1, type TestD1 } from './helpers/d1';
import { addContent, rows, testConfig } from './helpers/delivery';

let t: TestD1;
let id: string;
beforeAll(async () => {
  t = await createTestD1();
  await addContent(t.db, { publishDate: '2026-11-20T09:00:00Z', title: 'Real post title' });
  id = (await getEmailTemplate(t.db, 'blog_notification'))!.id;
});
afterAll(async () => t?.dispose());

const ORIGIN = 'http://127.0.0.1:4321';
const CSRF = 'c'.repeat(43);
const settings: AdminSettings = { access: null, devBypass: true, mailTransport: 'dev' };
const deps = () => ({ db: t.db, config: testConfig(), recipient: 'author@example.com' });

async function submit(fields: Record<string, string>): Promise<TemplateEditorView | Response> {
  const request = new Request(`${ORIGIN}/admin/templates/${id}`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded', origin: ORIGIN, cookie: `${CSRF_COOKIE}=${CSRF}` },
    body: new URLSearchParams({ csrf: CSRF, ...fields }),
  });
  const ctx = await authorizeAdminPost(request, null, settings, { maxBytes: 512 * 1024 });
  if (ctx instanceof Response) return ctx;
  return templateEditor(deps(), id, ctx);
}

describe('template editor', () => {
  it('previews the live template and an unsaved draft on a real post, without saving', async () => {
    const live = (await templateEditor(deps(), id)) as TemplateEditorView;
    expect(live.preview!.on).toBe('Real post title');
    expect(live.preview!.rendered.subject).toContain('Real post title');
    const draft = (await submit({ op: 'preview', base_version: String(live.baseVersion), subject: 'Fresh: {{content_title}}', html: '<p>{{content_title}}</p>', text: 'Read {{content_url}}' })) as TemplateEditorView;
    expect(draft.preview!.rendered).toMatchObject({ subject: 'Fresh: Real post title', html: '<p>Real post title</p>' });
    expect((await getEmailTemplate(t.db, 'blog_notification'))!.version).toBe(live.template.version);
  });

  it('refuses a variable the delivery code does not provide, as createEmailTemplate does', async () => {
    const { template } = (await getTemplate(t.db, id))!;
    const view = (await submit({ op: 'save', base_version: String(template.version), subject: '{{content_title}} {{secret_key}}', html: '<p>x</p>', text: 'x' })) as TemplateEditorView;
    expect(view.status).toBe(400);
    expect(view.error).toContain('secret_key');
    const broken = (await submit({ op: 'preview', base_version: String(template.version), subject: '{{#items}}', html: '<p>x</p>', text: 'x' })) as TemplateEditorView;
    expect(broken.error).toMatch(/cannot be rendered|not valid Mustache|Unclosed/i);
    expect((await getTemplate(t.db, id))!.template.version).toBe(template.version);
  });

  it('saves each edit as a new version, keeps the one before, and restores an earlier one', async () => {
    const original = (await getTemplate(t.db, id))!.template;
    const saved = (await submit({ op: 'save', base_version: String(original.version), subject: 'V2 {{content_title}}', html: original.htmlTemplate, text: original.textTemplate })) as Response;
    expect(saved.status).toBe(303);
    expect(decodeURIComponent(saved.headers.get('location')!)).toContain(`Saved as version ${original.version + 1}`);
    const after = (await getTemplate(t.db, id))!;
    expect(after.template.subjectTemplate).toBe('V2 {{content_title}}');
    expect(after.versions.map((v) => [v.version, v.createdBy])).toEqual([
      [original.version + 1, 'dev-bypass'],
      [original.version, 'before the console'],
    ]);

    // A stale editor (started from the original version) cannot overwrite the newer save.
    const stale = (await submit({ op: 'save', base_version: String(original.version), subject: 'Stale {{content_title}}', html: original.htmlTemplate, text: original.textTemplate })) as TemplateEditorView;
    expect(stale.error).toContain('Someone saved this template');
    expect((await getTemplate(t.db, id))!.template.subjectTemplate).toBe('V2 {{content_title}}');

    const restored = (await submit({ op: 'restore', version: String(original.version) })) as Response;
    expect(decodeURIComponent(restored.headers.get('location')!)).toContain(`Version ${original.version} restored as version ${original.version + 2}`);
    const final = (await getTemplate(t.db, id))!;
    expect(final.template).toMatchObject({ subjectTemplate: original.subjectTemplate, version: original.version + 2 });
    expect(final.versions).toHaveLength(3);
    const audit = await rows<{ action: string }>(t.d1, "SELECT action FROM admin_audit_log WHERE target_type = 'template' ORDER BY rowid");
    expect(audit.map((a) => a.action)).toEqual(['template_saved', 'template_restored']);
    expect((await listTemplates(t.db)).find((x) => x.id === id)!.version).toBe(original.version + 2);
  });

  it('refuses a template that drops the unsubscribe link or the postal address, or outputs a value unescaped', async () => {
    const { template } = (await getTemplate(t.db, id))!;
    const base = { op: 'save', base_version: String(template.version), subject: template.subjectTemplate };
    const html = template.htmlTemplate;
    const text = template.textTemplate;
    const attempts: [string, { html: string; text: string; subject?: string }, RegExp][] = [
      ['no unsubscribe link in HTML', { html: html.replaceAll('{{unsubscribe_url}}', '#'), text }, /unsubscribe_url/],
      ['no unsubscribe link in text', { html, text: text.replaceAll('{{unsubscribe_url}}', '') }, /text part must show \{\{unsubscribe_url\}\}/],
      ['no postal address', { html: html.replaceAll('{{postal_address}}', ''), text }, /postal_address/],
      ['the link only inside a section', { html: html.replaceAll('href="{{unsubscribe_url}}"', 'href="#"').replace('</body>', '{{^site_name}}<a href="{{unsubscribe_url}}">u</a>{{/site_name}}</body>'), text }, /unsubscribe_url/],
      ['the link only inside an HTML comment', { html: html.replaceAll('href="{{unsubscribe_url}}"', 'href="#"').replace('</body>', '<!-- <a href="{{unsubscribe_url}}">u</a> --></body>'), text }, /unsubscribe_url/],
      ['triple mustache on the address', { html: html.replace('</body>', '<p>{{{recipient_email}}}</p></body>'), text }, /recipient_email/],
      ['ampersand form with other delimiters', { html: html.replace('</body>', '{{=<% %>=}}<p><%& recipient_email %></p><%={{ }}=%></body>'), text }, /recipient_email/],
      ['unescaped in the subject', { html, text, subject: '{{{content_title}}}' }, /content_title/],
      ['the post body unescaped outside the HTML part', { html, text, subject: '{{{content_body_html}}}' }, /content_body_html/],
    ];
    for (const [what, draft, reason] of attempts) {
      const view = (await submit({ ...base, subject: draft.subject ?? base.subject, html: draft.html, text: draft.text })) as TemplateEditorView;
      expect(view.status, what).toBe(400);
      expect(view.error, what).toMatch(reason);
    }
    expect((await getTemplate(t.db, id))!.template.version).toBe(template.version); // nothing saved
    const fine = (await submit({ ...base, html, text })) as Response;
    expect(fine.status).toBe(303);
  });

  it('answers unknown templates, versions and actions with 4xx', async () => {
    expect(((await templateEditor(deps(), 'nope')) as Response).status).toBe(404);
    expect(((await submit({ op: 'restore', version: '999' })) as Response).status).toBe(404);
    expect(((await submit({ op: 'delete' })) as Response).status).toBe(400);
    expect(((await submit({ op: 'save', subject: 'x', html: 'x', text: 'x' })) as Response).status).toBe(400);
  });
});
