import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import PostalMime from 'postal-mime';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createEmailTemplate, getActiveTemplates } from '../db/content/templates';
import { TEMPLATE_VARIABLES } from '../db/content/template-variables';
import { buildMessage } from '../integration/delivery/mime';
import { processNotifications } from '../integration/delivery/processor';
import { assertTemplateVariables, TemplateSet, TemplateVariableError, unknownTemplateVariables } from '../integration/delivery/render';
import { createFaultInjectionTransport } from './helpers/fault-injection';
import { queueVerificationEmail } from '../integration/delivery/verification';
import { createTestD1, ROOT, type TestD1 } from './helpers/d1';
import { inlinePartials } from './helpers/partials';
import { HTML_PARTIALS, TEXT_PARTIALS } from '../db/templates/partials';
import { addContent, addReader, clearTables, rows, settableClock, SITE, testConfig } from './helpers/delivery';

let t: TestD1;
beforeAll(async () => {
  t = await createTestD1();
});
afterAll(async () => t?.dispose());
beforeEach(async () => clearTables(t.d1));

const T0 = '2026-11-25T10:00:00Z';

async function sendOne(title: string, opts: { excerpt?: string; email?: string } = {}) {
  const time = settableClock(T0);
  const transport = createFaultInjectionTransport();
  await addReader(t.db, opts.email ?? 'reader@example.org');
  await addContent(t.db, { title, description: opts.excerpt, publishDate: '2026-11-25T09:00:00Z' });
  const summary = await processNotifications({ db: t.db, transport, clock: time.clock, config: testConfig() });
  return { summary, transport };
}

describe('template escaping', () => {
  it('escapes a <script> title in the HTML part, keeps it literal in the text part and the subject', async () => {
    const { transport } = await sendOne('<script>alert("x")</script> & more', { excerpt: '<img src=x onerror=alert(1)>' });
    const mail = await PostalMime.parse(transport.sent[0]!.raw);
    expect(mail.html).not.toContain('<script>');
    expect(mail.html).not.toContain('<img src=x');
    expect(mail.html).toContain('&lt;script&gt;alert(&quot;x&quot;)&lt;&#x2F;script&gt; &amp; more');
    expect(mail.text).toContain('<script>alert("x")</script> & more');
    expect(mail.subject).toBe('New post: <script>alert("x")</script> & more');
  });
});

describe('header injection', () => {
  it('a title with CR/LF cannot add a header: the subject is folded to one line', async () => {
    const { transport, summary } = await sendOne('Hello\r\nBcc: victim@evil.example\r\n\r\nbody');
    expect(summary.sent).toBe(1);
    const raw = transport.sent[0]!.raw;
    const head = raw.slice(0, raw.indexOf('\r\n\r\n'));
    expect(head).not.toMatch(/^Bcc:/im);
    const mail = await PostalMime.parse(raw);
    expect(mail.subject).toBe('New post: Hello Bcc: victim@evil.example body');
    expect(mail.bcc ?? []).toEqual([]);
  });

  it('a recipient address with CR/LF is refused: the notification fails permanently and nothing is sent', async () => {
    const time = settableClock(T0);
    const transport = createFaultInjectionTransport();
    const reader = await addReader(t.db, 'ok@example.org');
    // Stored addresses are validated; this simulates one that slipped in through another path.
    await t.d1.prepare('UPDATE users SET email = ? WHERE id = ?').bind('ok@example.org\r\nBcc: x@evil.example', reader.id).run();
    await addContent(t.db, { publishDate: '2026-11-25T09:00:00Z' });
    const summary = await processNotifications({ db: t.db, transport, clock: time.clock, config: testConfig() });
    expect(summary).toMatchObject({ sent: 0, failed: 1, retried: 0 });
    expect(transport.attempts).toHaveLength(0);
    const [row] = await rows<{ status: string; next_retry_at: number | null }>(t.d1, 'SELECT status, next_retry_at FROM email_notifications');
    expect(row).toEqual({ status: 'failed', next_retry_at: null });
    const [history] = await rows<{ error_code: string }>(t.d1, "SELECT error_code FROM email_notification_history WHERE action = 'failed'");
    expect(history!.error_code).toBe('header_injection');
  });
});

describe('template variables', () => {
  it('refuses a template that uses a variable the system does not provide', async () => {
    expect(unknownTemplateVariables('notification', 'Hi {{recipient_email}}, {{content_title}} {{{secret_key}}}')).toEqual(['secret_key']);
    expect(unknownTemplateVariables('digest', '{{#items}}{{content_title}} {{site_name}}{{/items}}')).toEqual([]);
    expect(unknownTemplateVariables('notification', '{{#items}}{{content_title}}{{/items}}')).toEqual(['items']);
    expect(unknownTemplateVariables('digest', '{{content_title}}')).toEqual(['content_title']); // only inside items
    expect(unknownTemplateVariables('system', '{{> footer}}')).toEqual(['partial:footer']); // no partials given (the subject)
    expect(unknownTemplateVariables('notification', '{{> footer}}', TEXT_PARTIALS)).toEqual([]);
    expect(unknownTemplateVariables('notification', '{{> head}}', TEXT_PARTIALS)).toEqual(['partial:head']); // HTML only
    expect(unknownTemplateVariables('notification', '{{> fotter}}', HTML_PARTIALS)).toEqual(['partial:fotter']);
    // A partial is checked with what the type provides: the readers' footer links to preferences, which system emails do not have.
    expect(unknownTemplateVariables('system', '{{> footer}}', HTML_PARTIALS)).toEqual(['preferences_url']);

    const params = {
      templateName: 'custom',
      templateType: 'notification' as const,
      subjectTemplate: '{{content_title}}',
      htmlTemplate: '<p>{{user.password_hash}}</p>',
      textTemplate: '{{content_title}}',
    };
    await expect(createEmailTemplate(t.db, params)).rejects.toBeInstanceOf(TemplateVariableError);
    await expect(createEmailTemplate(t.db, params)).rejects.toThrow(/user\.password_hash/);
    expect(() => assertTemplateVariables('notification', { ...params, htmlTemplate: '{{#content_title}' })).toThrow(TemplateVariableError);
    const ok = await createEmailTemplate(t.db, { ...params, htmlTemplate: '<p>{{content_title}}</p>' });
    expect(ok.templateName).toBe('custom');
    await t.d1.prepare("DELETE FROM email_templates WHERE template_name = 'custom'").run();
  });

  it('the default templates (migrations 0007 and 0014) use only provided variables and match db/templates/', async () => {
    const templates = await getActiveTemplates(t.db);
    const byName = new Map(templates.map((x) => [x.templateName, x]));
    for (const name of ['blog_notification', 'thought_notification', 'announcement_notification', 'digest', 'verification']) {
      const tpl = byName.get(name);
      expect(tpl, name).toBeDefined();
      expect(() => assertTemplateVariables(tpl!.templateType, tpl!)).not.toThrow();
    }
    const file = (f: string) => readFileSync(join(ROOT, 'db/templates', f), 'utf8');
    expect(byName.get('digest')!.htmlTemplate).toBe(file('digest-email.html'));
    expect(byName.get('digest')!.textTemplate).toBe(file('digest-email.txt'));
    expect(byName.get('verification')!.htmlTemplate).toBe(file('verification-email.html'));
    expect(byName.get('announcement_notification')!.htmlTemplate).toBe(file('content-email.html'));
    expect(Object.keys(TEMPLATE_VARIABLES).sort()).toEqual(['announcement', 'digest', 'notification', 'system']);
  });

  it('the default templates render with their partials to the very bytes of the footer written in place', async () => {
    const templates = await getActiveTemplates(t.db);
    expect(templates.map((x) => x.templateName).sort()).toEqual([
      'announcement_notification',
      'blog_notification',
      'digest',
      'set_password',
      'sign_in_link',
      'thought_notification',
      'verification',
      'welcome',
    ]);
    for (const template of templates) {
      // Every variable set, with characters that escape: a part the partial drops or doubles shows.
      const spec = TEMPLATE_VARIABLES[template.templateType];
      const filled = (names: readonly string[]) => Object.fromEntries(names.map((name) => [name, `<${name} & "x">`]));
      const view = { ...filled(spec.top), items: [filled(spec.sections?.items ?? []), filled(spec.sections?.items ?? [])] };
      const inline = {
        ...template,
        htmlTemplate: inlinePartials(template.htmlTemplate, HTML_PARTIALS),
        textTemplate: inlinePartials(template.textTemplate, TEXT_PARTIALS),
      };
      expect(template.htmlTemplate, template.templateName).toMatch(/^\{\{> footer(_system)?\}\}$/m);
      expect(inline.htmlTemplate).not.toContain('{{>');
      const rendered = new TemplateSet([template]).render(template.templateName, view);
      expect(rendered.html, template.templateName).toContain('href="&lt;unsubscribe_url &amp; &quot;x&quot;&gt;"');
      expect(rendered.text, template.templateName).toContain('<postal_address & "x">');
      expect(rendered, template.templateName).toEqual(new TemplateSet([inline]).render(template.templateName, view));
    }
  });

  it('parses each template once per run (one Writer cache) and renders subject/text unescaped', () => {
    const set = new TemplateSet([
      {
        templateName: 'x',
        templateType: 'notification',
        subjectTemplate: '{{content_title}}',
        htmlTemplate: '<b>{{content_title}}</b>',
        textTemplate: '{{content_title}}',
      } as never,
    ]);
    const first = set.render('x', { content_title: 'A & B' });
    expect(first).toEqual({ subject: 'A & B', html: '<b>A &amp; B</b>', text: 'A & B' });
    expect(set.render('x', { content_title: 'C' }).html).toBe('<b>C</b>');
    expect(() => set.render('missing', {})).toThrow(/No active email template/);
  });
});

describe('the post body spliced, not rendered per reader', () => {
  const view = (body: { html: string; text: string }) => ({
    content_title: 'Spring & notes',
    content_url: `${SITE}/blog/spring/`,
    site_name: 'Plain Words',
    cta_label: 'Read',
    content_body_html: body.html,
    content_body_text: body.text,
  });
  const body = {
    html: `<h2>Spring</h2>\n<p>${'a & b <i>ok</i> '.repeat(400)}</p>\n<p>Last paragraph.</p>`,
    text: `Spring\n\n${'a & b '.repeat(400)}\n\nLast paragraph.`,
  };
  const decoded = async (parts: ReturnType<TemplateSet['renderParts']>) => {
    const raw = buildMessage({
      from: { email: 'news@example.com' },
      to: { email: 'reader@example.org' },
      subject: parts.subject,
      html: parts.html,
      text: parts.text,
      messageId: '<a@example.com>',
      date: new Date(T0),
      listUnsubscribeUrl: `${SITE}/api/unsubscribe/one-click?token=t`,
      listId: 'blog.example.com',
    });
    return PostalMime.parse(raw);
  };

  it('the default post template: the same message as rendering the body through Mustache, the body encoded once', async () => {
    const [content] = (await getActiveTemplates(t.db)).filter((x) => x.templateName === 'blog_notification');
    const set = new TemplateSet([content!]);
    const parts = set.renderParts('blog_notification', view(body));
    expect(typeof parts.html).toBe('object'); // spliced: Mustache never copied the body
    expect(typeof parts.text).toBe('object');
    const whole = set.render('blog_notification', view(body));
    const mail = await decoded(parts);
    expect(mail.subject).toBe(whole.subject);
    expect(mail.html!.replace(/\r\n/g, '\n').trimEnd()).toBe(whole.html.replace(/\r\n/g, '\n').trimEnd());
    expect(mail.text!.replace(/\r\n/g, '\n').trimEnd()).toBe(whole.text.replace(/\r\n/g, '\n').trimEnd());
    expect(mail.html).toContain('<p>Last paragraph.</p>');
  });

  it('a template that escapes the body, uses it twice or not at all gets the whole render, as it asked', () => {
    const template = (html: string) =>
      new TemplateSet([
        {
          templateName: 'x',
          templateType: 'notification',
          subjectTemplate: '{{content_title}}',
          htmlTemplate: html,
          textTemplate: '{{content_body_text}}',
        } as never,
      ]);
    const escaped = template('<div>{{content_body_html}}</div>').renderParts('x', view(body));
    expect(escaped.html).toBe(`<div>${body.html.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/\//g, '&#x2F;')}</div>`);
    expect(template('{{{content_body_html}}}{{{content_body_html}}}').renderParts('x', view(body)).html).toBe(body.html + body.html);
    expect(template('<p>no body</p>').renderParts('x', view(body)).html).toBe('<p>no body</p>');
    expect(template('{{{content_body_html}}}').renderParts('x', view({ html: '', text: '' })).html).toBe('');
    // A CR before the body and an LF starting it are one line break: never split between two encodings.
    expect(template('<p>a</p>\r{{{content_body_html}}}').renderParts('x', view({ html: '\n<p>b</p>', text: 'b' })).html).toBe('<p>a</p>\r\n<p>b</p>');
  });
});

describe('a missing template', () => {
  it('fails the notification for good with template_missing, without sending', async () => {
    await t.d1.prepare("UPDATE email_templates SET is_active = 0 WHERE template_name = 'blog_notification'").run();
    try {
      const { summary, transport } = await sendOne('Orphan');
      expect(summary).toMatchObject({ sent: 0, failed: 1 });
      expect(transport.attempts).toHaveLength(0);
      const [history] = await rows<{ error_code: string }>(t.d1, "SELECT error_code FROM email_notification_history WHERE action = 'failed'");
      expect(history!.error_code).toBe('template_missing');
    } finally {
      await t.d1.prepare("UPDATE email_templates SET is_active = 1 WHERE template_name = 'blog_notification'").run();
    }
  });
});

describe('verification email', () => {
  it('is queued once per link and sent at once through onlyNotificationIds, with a one-click link that unsubscribes from everything', async () => {
    const time = settableClock(T0);
    const transport = createFaultInjectionTransport();
    const reader = await addReader(t.db, 'new@example.org', { verified: false });
    await addContent(t.db, { publishDate: '2026-11-25T09:00:00Z' }); // must not be fanned out by this run
    const verifyUrl = `${SITE}/verify?token=abc123`;
    const choices = 'Blog posts and Thoughts, a weekly digest';
    const id = await queueVerificationEmail(t.db, { userId: reader.id, email: reader.email, verifyUrl, summary: choices, now: time.clock() });
    expect(await queueVerificationEmail(t.db, { userId: reader.id, email: reader.email, verifyUrl, summary: choices, now: time.clock() })).toBe(id);

    const summary = await processNotifications({ db: t.db, transport, clock: time.clock, config: testConfig() }, { onlyNotificationIds: [id] });
    expect(summary).toMatchObject({ sent: 1, fannedOut: 0 });
    const mail = await PostalMime.parse(transport.sent[0]!.raw);
    expect(mail.subject).toBe('Confirm your subscription to Plain Words');
    expect(mail.text).toContain(verifyUrl);
    expect(mail.html).toContain('Confirm my address');
    expect(mail.text).toContain('You chose: Blog posts and Thoughts, a weekly digest.');
    expect(mail.html).toContain('You chose: Blog posts and Thoughts, a weekly digest.');
    expect(mail.text).not.toContain('/preferences?token=');
    const [token] = await rows<{ token_type: string; content_type: string | null }>(t.d1, 'SELECT token_type, content_type FROM unsubscribe_tokens');
    expect(token).toEqual({ token_type: 'one_click', content_type: null });
    const [row] = await rows<{ status: string; content_type: string; notification_type: string }>(t.d1, 'SELECT * FROM email_notifications');
    expect(row).toMatchObject({ status: 'sent', content_type: 'system', notification_type: 'verification' });
    const [stats] = await rows<{ content_type: string }>(t.d1, 'SELECT content_type FROM email_statistics');
    expect(stats!.content_type).toBe('system');
  });

  it('sign-in and set-password links go out with their own templates', async () => {
    const time = settableClock(T0);
    const transport = createFaultInjectionTransport();
    const reader = await addReader(t.db, 'links@example.org', { verified: true });
    const signIn = `${SITE}/account/link?token=sign-in-abc`;
    const password = `${SITE}/account/password?token=password-abc`;
    const ids = [
      await queueVerificationEmail(t.db, { userId: reader.id, email: reader.email, verifyUrl: signIn, kind: 'sign_in', now: time.clock() }),
      await queueVerificationEmail(t.db, { userId: reader.id, email: reader.email, verifyUrl: password, kind: 'set_password', now: time.clock() }),
    ];
    const summary = await processNotifications({ db: t.db, transport, clock: time.clock, config: testConfig() }, { onlyNotificationIds: ids });
    expect(summary).toMatchObject({ sent: 2 });
    const mails = await Promise.all(transport.sent.map((m) => PostalMime.parse(m.raw)));
    const bySubject = Object.fromEntries(mails.map((m) => [m.subject, m]));
    expect(bySubject['Sign in to Plain Words']!.text).toContain(signIn);
    expect(bySubject['Sign in to Plain Words']!.text).toContain('15 minutes');
    expect(bySubject['Set your password for Plain Words']!.text).toContain(password);
    expect(bySubject['Set your password for Plain Words']!.html).toContain('Set my password');
  });
});
