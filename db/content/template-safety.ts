/**
 * What a template edited in the console may not undo: every email keeps a working unsubscribe
 * link and the postal address (CAN-SPAM, RFC 8058's visible counterpart), and nothing is put
 * into the HTML unescaped (`{{{x}}}`, `{{& x}}`): the values include what readers typed (their
 * address) and what the author's posts carry, and none of them is markup, but for the post's
 * body (HTML_VALUES). Checked on the
 * parsed template (Mustache's own tokens), so changed delimiters or whitespace do not hide it.
 * Partials (`{{> footer}}`, db/templates/partials/) are checked as if written in place: a footer
 * partial brings its link and address; a name that is not a shipped partial is refused.
 */
import Mustache from 'mustache';
import { HTML_PARTIALS, TEXT_PARTIALS } from '../templates/partials';

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

type Partials = Readonly<Record<string, string>>;

/**
 * The tokens with each `{{> name}}` replaced by the partial's own tokens, at the depth it stands (a partial inside a
 * section renders only with it). `used` collects the partials that render unconditionally, `missing` the unknown names.
 */
function expand(tokens: Token[], partials: Partials, found: { used: Set<string>; missing: Set<string> }, depth = 0, chain: string[] = []): Token[] {
  return tokens.flatMap((token): Token[] => {
    const [kind, value] = token;
    if (kind === '>') {
      if (!Object.hasOwn(partials, value) || chain.includes(value)) {
        found.missing.add(value);
        return [];
      }
      if (depth === 0) found.used.add(value);
      return expand(Mustache.parse(withoutComments(partials[value]!)) as unknown as Token[], partials, found, depth, [...chain, value]);
    }
    // Mustache caches parsed tokens: copy a section, never change it in place.
    if (token[4]) return [[kind, value, token[2], token[3], expand(token[4], partials, found, depth + 1, chain), token[5]]];
    return [token];
  });
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
  const inHtml = { used: new Set<string>(), missing: new Set<string>() };
  const inText = { used: new Set<string>(), missing: new Set<string>() };
  const html = expand(Mustache.parse(withoutComments(draft.htmlTemplate)) as unknown as Token[], HTML_PARTIALS, inHtml);
  const text = expand(Mustache.parse(draft.textTemplate) as unknown as Token[], TEXT_PARTIALS, inText);
  const subject = Mustache.parse(draft.subjectTemplate) as unknown as Token[];
  const inSubject = { used: new Set<string>(), missing: new Set<string>() };
  expand(subject, {}, inSubject);
  for (const [part, found] of [
    ['subject', inSubject],
    ['HTML', inHtml],
    ['text', inText],
  ] as const) {
    if (found.missing.size > 0) problems.push(`the ${part} part uses a partial that does not exist: ${[...found.missing].map((n) => `{{> ${n}}}`).join(', ')}`);
  }
  for (const [part, tokens] of [
    ['HTML', html],
    ['text', text],
  ] as const) {
    const names = topLevelNames(tokens);
    for (const name of REQUIRED) if (!names.has(name)) problems.push(`the ${part} part must show {{${name}}} (outside any section)`);
  }
  const linksOut = (source: string) => /href\s*=\s*["']?\s*\{\{\s*unsubscribe_url\s*\}\}/.test(withoutComments(source));
  if (!linksOut(draft.htmlTemplate) && ![...inHtml.used].some((name) => linksOut(HTML_PARTIALS[name]!))) {
    problems.push('the HTML part must link to {{unsubscribe_url}} (href="{{unsubscribe_url}}")');
  }
  const raw = [...new Set([...unescaped(html).filter((name) => !HTML_VALUES.has(name)), ...unescaped(subject)])];
  if (raw.length > 0) problems.push(`values are always escaped: use {{name}}, not {{{name}}} or {{& name}} (${raw.join(', ')})`);
  return problems;
}

export function assertTemplateSafety(draft: TemplateDraft): void {
  const problems = templateSafetyProblems(draft);
  if (problems.length > 0) throw new TemplateSafetyError(`This template would make an unsafe email: ${problems.join('; ')}.`);
}
