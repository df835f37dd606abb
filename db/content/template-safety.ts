/**
 * What a template edited in the console may not undo: every email keeps a working unsubscribe
 * link and the postal address (CAN-SPAM, RFC 8058's visible counterpart), and nothing is put
 * into the HTML unescaped (`{{{x}}}`, `{{& x}}`): the values include what readers typed (their
 * address) and what the author's posts carry, and none of them is markup, but for the post's
 * body (HTML_VALUES). Checked on the
 * parsed template (Mustache's own tokens), so changed delimiters or whitespace do not hide it.
 */
import Mustache from 'mustache';

export type TemplateDraft = { subjectTemplate: string; htmlTemplate: string; textTemplate: string };

export class TemplateSafetyError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'TemplateSafetyError';
  }
}

type Token = [string, string, number, number, Token[]?, number?];

/** Output tags (escaped or not) at the top level: never inside a section, which may not render. */
const topLevelNames = (tokens: Token[]): Set<string> => new Set(tokens.filter(([kind]) => kind === 'name' || kind === '&').map(([, value]) => value));

/** Every unescaped output tag, at any depth. */
function unescaped(tokens: Token[], out: string[] = []): string[] {
  for (const token of tokens) {
    if (token[0] === '&') out.push(token[1]);
    if (token[4]) unescaped(token[4], out);
  }
  return out;
}

/** The source with HTML comments blanked out: a link inside a comment is not a link. */
const withoutComments = (html: string): string => html.replace(/<!--[\s\S]*?(?:-->|$)/g, (c) => ' '.repeat(c.length));

const REQUIRED = ['unsubscribe_url', 'postal_address'] as const;

/**
 * Values that are markup by design, allowed unescaped in the HTML part only: the post's body, made
 * email-safe once at build time from the author's own content (registry/email-body.ts), never
 * anything a reader typed.
 */
const HTML_VALUES = new Set(['content_body_html']);

/** The reasons a draft would make an unsafe email (empty = fine). Throws on a Mustache syntax error. */
export function templateSafetyProblems(draft: TemplateDraft): string[] {
  const problems: string[] = [];
  const html = Mustache.parse(withoutComments(draft.htmlTemplate)) as unknown as Token[];
  const text = Mustache.parse(draft.textTemplate) as unknown as Token[];
  for (const [part, tokens] of [
    ['HTML', html],
    ['text', text],
  ] as const) {
    const names = topLevelNames(tokens);
    for (const name of REQUIRED) if (!names.has(name)) problems.push(`the ${part} part must show {{${name}}} (outside any section)`);
  }
  if (!/href\s*=\s*["']?\s*\{\{\s*unsubscribe_url\s*\}\}/.test(withoutComments(draft.htmlTemplate))) {
    problems.push('the HTML part must link to {{unsubscribe_url}} (href="{{unsubscribe_url}}")');
  }
  const raw = [
    ...new Set([...unescaped(html).filter((name) => !HTML_VALUES.has(name)), ...unescaped(Mustache.parse(draft.subjectTemplate) as unknown as Token[])]),
  ];
  if (raw.length > 0) problems.push(`values are always escaped: use {{name}}, not {{{name}}} or {{& name}} (${raw.join(', ')})`);
  return problems;
}

export function assertTemplateSafety(draft: TemplateDraft): void {
  const problems = templateSafetyProblems(draft);
  if (problems.length > 0) throw new TemplateSafetyError(`This template would make an unsafe email: ${problems.join('; ')}.`);
}
