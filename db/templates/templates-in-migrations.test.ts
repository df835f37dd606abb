import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { createTestD1, execStatements, MIGRATIONS_DIR, splitSql, type TestD1 } from '../../test/helpers/d1';
import { inlinePartials } from '../../test/helpers/partials';
import { HTML_PARTIALS, TEXT_PARTIALS } from './partials';

// Migrations carry frozen copies of db/templates/*: they must not drift apart silently.
const source = (file: string) => readFileSync(join(import.meta.dirname, file), 'utf8');
const EXPECTED: Record<string, string> = {
  blog_notification: 'content-email',
  thought_notification: 'content-email',
  announcement_notification: 'content-email',
  digest: 'digest-email',
  verification: 'verification-email',
  sign_in_link: 'sign-in-email',
  set_password: 'password-email',
  welcome: 'welcome-email',
};

let t: TestD1;
beforeAll(async () => {
  t = await createTestD1();
});
afterAll(async () => t?.dispose());

it('the default templates in migrations/ are exactly the sources in db/templates/', async () => {
  const { results } = await t.d1
    .prepare('SELECT template_name, html_template, text_template FROM email_templates ORDER BY template_name')
    .all<{ template_name: string; html_template: string; text_template: string }>();
  expect(results.map((r) => r.template_name).sort()).toEqual(Object.keys(EXPECTED).sort());
  for (const row of results) {
    const base = EXPECTED[row.template_name]!;
    expect(row.html_template, `${row.template_name} html`).toBe(source(`${base}.html`));
    expect(row.text_template, `${row.template_name} text`).toBe(source(`${base}.txt`));
  }
});

it("the verification template restates the reader's choices, and every system template declares what it uses", async () => {
  const { results } = await t.d1
    .prepare("SELECT template_name, text_template, variables FROM email_templates WHERE template_type = 'system' ORDER BY template_name")
    .all<{ template_name: string; text_template: string; variables: string }>();
  expect(results.map((r) => r.template_name)).toEqual(['set_password', 'sign_in_link', 'verification', 'welcome']);
  // In the reader's language: the sentence t_verify_chose carries the summary (integration/i18n/email.ts).
  expect(results.find((r) => r.template_name === 'verification')!.text_template).toContain(
    '{{#subscription_summary}}{{t_verify_chose}}{{/subscription_summary}}',
  );
  for (const row of results) expect(JSON.parse(row.variables)).toContain('subscription_summary');
});

it('0029 gives the partials to rows that still hold the previous default, and leaves an edited row as it is', async () => {
  // The previous defaults: each source with its partials written in place (0024/0027's text).
  const previous = (base: string) => ({
    html: inlinePartials(source(`${base}.html`), HTML_PARTIALS),
    text: inlinePartials(source(`${base}.txt`), TEXT_PARTIALS),
  });
  expect(previous('content-email').html).not.toContain('{{>');
  const edited = { ...previous('digest-email'), html: previous('digest-email').html.replace('</body>', '<p>Edited by the author</p>\n</body>') };
  await t.d1.batch([
    ...Object.entries(EXPECTED).map(([name, base]) =>
      t.d1
        .prepare('UPDATE email_templates SET html_template = ?, text_template = ? WHERE template_name = ?')
        .bind(previous(base).html, previous(base).text, name),
    ),
    t.d1.prepare("UPDATE email_templates SET html_template = ? WHERE template_name = 'digest'").bind(edited.html),
  ]);
  await execStatements(t.d1, splitSql(readFileSync(join(MIGRATIONS_DIR, '0029_template_partials.sql'), 'utf8')));
  const { results } = await t.d1
    .prepare('SELECT template_name, html_template, text_template FROM email_templates')
    .all<{ template_name: string; html_template: string; text_template: string }>();
  expect(results).toHaveLength(Object.keys(EXPECTED).length);
  for (const row of results) {
    const base = EXPECTED[row.template_name]!;
    expect(row.html_template, `${row.template_name} html`).toBe(row.template_name === 'digest' ? edited.html : source(`${base}.html`));
    expect(row.text_template, `${row.template_name} text`).toBe(source(`${base}.txt`)); // its text part was not edited
  }
});
