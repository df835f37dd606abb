/**
 * The template editor on real local D1: preview of a draft on a real post, unknown variables and
 * syntax errors beside the preview, variable checks, versions, restore, conflicts, and the
 * editor's test send into the dev capture.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { getTemplate, listTemplates } from '../db/admin/templates';
import { getEmailTemplate } from '../db/content/templates';
import { getDevMail, listDevMail } from '../db/delivery/dev-mail';
import { createDevCaptureTransport } from '../integration/delivery/providers/dev/transport';
import { checkTemplate, describeSyntaxError, suggestVariable, tagOf } from '../integration/server/admin/template-check';
import PostalMime from 'postal-mime';
import Mustache from 'mustache';
import { CSRF_COOKIE, type AdminSettings } from '../integration/server/admin/gate';
import { authorizeAdminPost } from '../integration/server/admin/request';
import { templateEditor, type TemplateEditorView } from '../integration/server/admin/templates';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { createTestD1, ROOT, type TestD1 } from './helpers/d1';
import { inlinePartials } from './helpers/partials';
import { HTML_PARTIALS, TEXT_PARTIALS } from '../db/templates/partials';
import { templateSafetyProblems } from '../db/content/template-safety';
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
const deps = () => ({ db: t.db, config: testConfig(), transport: createDevCaptureTransport(t.db), recipient: 'author@example.com' });

async function submit(fields: Record<string, string>, email?: string): Promise<TemplateEditorView | Response> {
  const request = new Request(`${ORIGIN}/admin/templates/${id}`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded', origin: ORIGIN, cookie: `${CSRF_COOKIE}=${CSRF}` },
    body: new URLSearchParams({ csrf: CSRF, ...fields }),
  });
  const ctx = await authorizeAdminPost(request, null, settings, { maxBytes: 512 * 1024 });
  if (ctx instanceof Response) return ctx;
  return templateEditor(deps(), id, email ? { ...ctx, identity: { ...ctx.identity, email } } : ctx);
}

describe('template editor', () => {
  it('previews the live template and an unsaved draft on a real post, without saving', async () => {
    const live = (await templateEditor(deps(), id)) as TemplateEditorView;
    expect(live.preview!.on).toBe('Real post title');
    expect(live.preview!.rendered.subject).toContain('Real post title');
    const draft = (await submit({
      op: 'preview',
      base_version: String(live.baseVersion),
      subject: 'Fresh: {{content_title}}',
      html: '<p>{{content_title}}</p>',
      text: 'Read {{content_url}}',
    })) as TemplateEditorView;
    expect(draft.preview!.rendered).toMatchObject({ subject: 'Fresh: Real post title', html: '<p>Real post title</p>' });
    expect((await getEmailTemplate(t.db, 'blog_notification'))!.version).toBe(live.template.version);
  });

  it('refuses a variable the delivery code does not provide, as createEmailTemplate does', async () => {
    const { template } = (await getTemplate(t.db, id))!;
    const view = (await submit({
      op: 'save',
      base_version: String(template.version),
      subject: '{{content_title}} {{secret_key}}',
      html: '<p>x</p>',
      text: 'x',
    })) as TemplateEditorView;
    expect(view.status).toBe(400);
    expect(view.error).toContain('secret_key');
    const broken = (await submit({
      op: 'preview',
      base_version: String(template.version),
      subject: '{{#items}}',
      html: '<p>x</p>',
      text: 'x',
    })) as TemplateEditorView;
    expect(broken.check.syntax).toEqual([{ part: 'subject', line: 1, message: expect.stringContaining('{{#items}} opened on line 1 is never closed') }]);
    expect(broken.preview).toBeNull();
    expect((await getTemplate(t.db, id))!.template.version).toBe(template.version);
  });

  it('saves each edit as a new version, keeps the one before, and restores an earlier one', async () => {
    const original = (await getTemplate(t.db, id))!.template;
    const saved = (await submit({
      op: 'save',
      base_version: String(original.version),
      subject: 'V2 {{content_title}}',
      html: original.htmlTemplate,
      text: original.textTemplate,
    })) as Response;
    expect(saved.status).toBe(303);
    expect(decodeURIComponent(saved.headers.get('location')!)).toContain(`Saved as version ${original.version + 1}`);
    const after = (await getTemplate(t.db, id))!;
    expect(after.template.subjectTemplate).toBe('V2 {{content_title}}');
    expect(after.versions.map((v) => [v.version, v.createdBy])).toEqual([
      [original.version + 1, 'dev-bypass'],
      [original.version, 'before the console'],
    ]);

    // A stale editor (started from the original version) cannot overwrite the newer save.
    const stale = (await submit({
      op: 'save',
      base_version: String(original.version),
      subject: 'Stale {{content_title}}',
      html: original.htmlTemplate,
      text: original.textTemplate,
    })) as TemplateEditorView;
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
    // The footer written in place, as an author may: the link and the address are the template's own to remove.
    const html = inlinePartials(template.htmlTemplate, HTML_PARTIALS);
    const text = inlinePartials(template.textTemplate, TEXT_PARTIALS);
    const attempts: [string, { html: string; text: string; subject?: string }, RegExp][] = [
      ['no unsubscribe link in HTML', { html: html.replaceAll('{{unsubscribe_url}}', '#'), text }, /unsubscribe_url/],
      ['no unsubscribe link in text', { html, text: text.replaceAll('{{unsubscribe_url}}', '') }, /text part must show \{\{unsubscribe_url\}\}/],
      ['no postal address', { html: html.replaceAll('{{postal_address}}', ''), text }, /postal_address/],
      [
        'the link only inside a section',
        {
          html: html
            .replaceAll('href="{{unsubscribe_url}}"', 'href="#"')
            .replace('</body>', '{{^site_name}}<a href="{{unsubscribe_url}}">u</a>{{/site_name}}</body>'),
          text,
        },
        /unsubscribe_url/,
      ],
      [
        'the link only inside an HTML comment',
        { html: html.replaceAll('href="{{unsubscribe_url}}"', 'href="#"').replace('</body>', '<!-- <a href="{{unsubscribe_url}}">u</a> --></body>'), text },
        /unsubscribe_url/,
      ],
      ['triple mustache on the address', { html: html.replace('</body>', '<p>{{{recipient_email}}}</p></body>'), text }, /recipient_email/],
      [
        'ampersand form with other delimiters',
        { html: html.replace('</body>', '{{=<% %>=}}<p><%& recipient_email %></p><%={{ }}=%></body>'), text },
        /recipient_email/,
      ],
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

describe('what the editor shows beside the preview', () => {
  it('names unknown variables with the known one meant, and still renders the rest', async () => {
    const { template } = (await getTemplate(t.db, id))!;
    const view = (await submit({
      op: 'preview',
      base_version: String(template.version),
      subject: 'Hi {{nme}} {{content_titel}}',
      html: '<p>{{content_title}}</p>',
      text: '{{nme}}',
    })) as TemplateEditorView;
    expect(view.status).toBe(200);
    expect(view.check.unknown).toEqual([
      { name: 'nme', parts: ['subject', 'text'], suggestion: 'site_name' },
      { name: 'content_titel', parts: ['subject'], suggestion: 'content_title' },
    ]);
    expect(view.preview!.rendered.html).toBe('<p>Real post title</p>');
    expect(suggestVariable('sitename', ['site_name', 'site_url'])).toBe('site_name');
    expect(suggestVariable('zzzzzzzz', ['site_name'])).toBeNull();
  });

  it('gives the line a section was opened on, and the line of a stray close or an unclosed tag', () => {
    const html = '<p>one</p>\n<p>two</p>\n{{#items}}\n<li>{{content_title}}</li>\n';
    expect(checkTemplate('digest', { subjectTemplate: 's', htmlTemplate: html, textTemplate: 't' }).syntax).toEqual([
      { part: 'HTML', line: 3, message: 'the section {{#items}} opened on line 3 is never closed (add {{/items}})' },
    ]);
    expect(describeSyntaxError('a\nb {{/items}}', tryParse('a\nb {{/items}}'))).toEqual({
      line: 2,
      message: '{{/items}} closes a section that was never opened',
    });
    expect(describeSyntaxError('a\n\nb {{site_name', tryParse('a\n\nb {{site_name')).line).toBe(3);
  });

  it('refuses to save a draft with a syntax error, keeps the text, and says where', async () => {
    const { template } = (await getTemplate(t.db, id))!;
    const html = template.htmlTemplate.replace('</body>', '{{#content_author}}\n</body>');
    const view = (await submit({
      op: 'save',
      base_version: String(template.version),
      subject: template.subjectTemplate,
      html,
      text: template.textTemplate,
    })) as TemplateEditorView;
    expect(view.status).toBe(400);
    expect(view.error).toMatch(
      /^Not saved\. The template has a Mustache syntax error: HTML part, line \d+: the section \{\{#content_author\}\} opened on line \d+ is never closed/,
    );
    expect(view.draft.htmlTemplate).toBe(html);
    expect((await getTemplate(t.db, id))!.template.version).toBe(template.version);
  });
});

describe('test send from the editor', () => {
  it('sends the draft as edited to the signed-in author by default, without saving it', async () => {
    await t.d1.exec('DELETE FROM dev_mail_outbox');
    const { template } = (await getTemplate(t.db, id))!;
    const subject = 'Unsaved draft: {{content_title}}';
    const view = (await submit(
      { op: 'test', base_version: String(template.version), subject, html: template.htmlTemplate, text: template.textTemplate, to: '' },
      'Me@Example.com',
    )) as TemplateEditorView;
    expect(view.error).toBeNull();
    expect(view.notice).toBe('Test of this draft sent to me@example.com.');
    expect(view.draft.subjectTemplate).toBe(subject);
    const [mail] = await listDevMail(t.db);
    expect(mail).toMatchObject({ toAddress: 'me@example.com', subject: '[Test] Unsaved draft: Real post title' });
    const parsed = await PostalMime.parse((await getDevMail(t.db, mail!.id))!.raw);
    expect(parsed.text).toContain('Real post title');
    expect((await getTemplate(t.db, id))!.template.version).toBe(template.version); // not saved
    const audit = await rows<{ action: string }>(t.d1, "SELECT action FROM admin_audit_log WHERE action = 'template_test_sent'");
    expect(audit).toHaveLength(1);
  });

  it('sends to another address when asked, and sends nothing for a broken draft or a bad address', async () => {
    await t.d1.exec('DELETE FROM dev_mail_outbox');
    const { template } = (await getTemplate(t.db, id))!;
    const base = {
      op: 'test',
      base_version: String(template.version),
      subject: template.subjectTemplate,
      html: template.htmlTemplate,
      text: template.textTemplate,
    };
    const other = (await submit({ ...base, to: 'editor@example.com' }, 'me@example.com')) as TemplateEditorView;
    expect(other.notice).toContain('editor@example.com');
    const broken = (await submit({ ...base, text: '{{#items}}', to: 'editor@example.com' })) as TemplateEditorView;
    expect(broken.status).toBe(400);
    expect(broken.error).toMatch(/^No test sent\. .*text part, line 1/);
    const bad = (await submit({ ...base, to: 'not an address\r\nBcc: x@evil.example' })) as TemplateEditorView;
    expect(bad.error).toMatch(/^No test sent:/);
    expect((await listDevMail(t.db)).map((m) => m.toAddress)).toEqual(['editor@example.com']);
  });
});

function tryParse(source: string): unknown {
  try {
    checkTemplate('notification', { subjectTemplate: source, htmlTemplate: '', textTemplate: '' });
    return Mustache.parse(source);
  } catch (e) {
    return e;
  }
}

describe('partials in the editor', () => {
  // The default as shipped (the tests above saved their own versions of the row).
  const source = (ext: string) => readFileSync(join(ROOT, `db/templates/content-email.${ext}`), 'utf8');
  const draft = { subjectTemplate: '{{content_type_label}}: {{content_title}}', htmlTemplate: source('html'), textTemplate: source('txt') };

  it('a footer partial keeps a template safe; without it, or with a partial that does not exist, the save is refused', async () => {
    const { template } = (await getTemplate(t.db, id))!;
    expect(draft.htmlTemplate).toContain('{{> footer}}');
    expect(templateSafetyProblems(draft)).toEqual([]);
    const noHtmlFooter = { ...draft, htmlTemplate: draft.htmlTemplate.replace('{{> footer}}', '') };
    expect(templateSafetyProblems(noHtmlFooter)).toEqual([
      'the HTML part must show {{unsubscribe_url}} (outside any section)',
      'the HTML part must show {{postal_address}} (outside any section)',
      'the HTML part must link to {{unsubscribe_url}} (href="{{unsubscribe_url}}")',
    ]);
    // Inside a section the footer may not render: it does not count.
    const inSection = { ...draft, textTemplate: draft.textTemplate.replace('{{> footer}}', '{{#content_author}}{{> footer}}{{/content_author}}') };
    expect(templateSafetyProblems(inSection)).toEqual([
      'the text part must show {{unsubscribe_url}} (outside any section)',
      'the text part must show {{postal_address}} (outside any section)',
    ]);
    const htmlInSection = { ...draft, htmlTemplate: draft.htmlTemplate.replace('{{> footer}}', '{{#content_author}}{{> footer}}{{/content_author}}') };
    expect(templateSafetyProblems(htmlInSection)).toContain('the HTML part must link to {{unsubscribe_url}} (href="{{unsubscribe_url}}")');
    expect(templateSafetyProblems({ ...draft, textTemplate: '{{> head}}' })[0]).toBe('the text part uses a partial that does not exist: {{> head}}');

    const base = { op: 'save', base_version: String(template.version), subject: draft.subjectTemplate };
    const removed = (await submit({ ...base, html: noHtmlFooter.htmlTemplate, text: draft.textTemplate })) as TemplateEditorView;
    expect(removed.status).toBe(400);
    expect(removed.error).toMatch(/HTML part must link to \{\{unsubscribe_url\}\}/);
    const typo = draft.htmlTemplate.replace('{{> footer}}', '{{> fotter}}<a href="{{unsubscribe_url}}">u</a> {{postal_address}}');
    const unknown = (await submit({ ...base, html: typo, text: draft.textTemplate })) as TemplateEditorView;
    expect(unknown.status).toBe(400);
    expect(unknown.error).toContain('partial:fotter');
    expect(unknown.check.unknown).toEqual([{ name: 'partial:fotter', parts: ['HTML'], suggestion: 'partial:footer' }]);
    expect((await getTemplate(t.db, id))!.template.version).toBe(template.version); // nothing saved
  });

  it('the preview renders the shipped partials and names an unknown one, left empty', async () => {
    const { template } = (await getTemplate(t.db, id))!;
    const base = { op: 'preview', base_version: String(template.version), subject: draft.subjectTemplate, text: draft.textTemplate };
    const fine = (await submit({ ...base, html: draft.htmlTemplate })) as TemplateEditorView;
    expect(fine.check.unknown).toEqual([]);
    expect(fine.preview!.rendered.html).toContain('border-top:1px solid #e4e4e7');
    expect(fine.preview!.rendered.text).toContain('\n--\n');
    const typo = (await submit({ ...base, html: draft.htmlTemplate.replace('{{> footer}}', '{{> fotter}}') })) as TemplateEditorView;
    expect(typo.check.unknown).toEqual([{ name: 'partial:fotter', parts: ['HTML'], suggestion: 'partial:footer' }]);
    expect(typo.preview!.rendered.html).not.toContain('border-top:1px solid #e4e4e7');
    expect([tagOf('partial:fotter'), tagOf('site_name')]).toEqual(['{{> fotter}}', '{{site_name}}']); // as the editor lists them
  });
});
