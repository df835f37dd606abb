/**
 * What the template editor shows beside the preview: Mustache syntax errors with the part and
 * line they are on, and variables the delivery code does not provide (db/content/template-variables.ts),
 * each with the known variable it most likely meant. Mustache renders an unknown name as an empty
 * string and a broken template not at all, so without this the author sees a blank where the
 * name should be, or no preview, and no reason.
 */
import Mustache from 'mustache';
import { PARTIALS_OF, TEMPLATE_VARIABLES, unknownTemplateVariables } from '../../../db/content/template-variables';
import type { TemplateDraft } from '../../../db/admin/templates';
import type { EmailTemplate } from '../../../db/schema';

export type TemplatePart = 'subject' | 'HTML' | 'text';
export type SyntaxProblem = { part: TemplatePart; line: number; message: string };
export type UnknownVariable = { name: string; parts: TemplatePart[]; suggestion: string | null };
export type TemplateCheck = { syntax: SyntaxProblem[]; unknown: UnknownVariable[] };

const PARTS: [TemplatePart, keyof TemplateDraft][] = [
  ['subject', 'subjectTemplate'],
  ['HTML', 'htmlTemplate'],
  ['text', 'textTemplate'],
];

/** 1-based line of a character offset. */
export const lineAt = (source: string, offset: number): number => source.slice(0, Math.max(0, offset)).split('\n').length;

/**
 * Mustache's error ("Unclosed section "items" at 812") in words, with a line. An unclosed section is
 * reported at the end of the template; the author needs the line where it was opened.
 */
export function describeSyntaxError(source: string, error: unknown): { line: number; message: string } {
  const raw = error instanceof Error ? error.message : String(error);
  const at = Number(/ at (\d+)$/.exec(raw)?.[1] ?? 0);
  const unclosed = /^Unclosed section "([^"]*)"/.exec(raw);
  if (unclosed) {
    const name = unclosed[1]!;
    const opened = [...source.matchAll(/\{\{\s*[#^]\s*([^}\s]+)\s*\}\}/g)].filter((m) => m[1] === name).pop();
    const line = lineAt(source, opened?.index ?? at);
    return { line, message: `the section {{#${name}}} opened on line ${line} is never closed (add {{/${name}}})` };
  }
  const unopened = /^Unopened section "([^"]*)"/.exec(raw);
  if (unopened) return { line: lineAt(source, at), message: `{{/${unopened[1]}}} closes a section that was never opened` };
  if (raw.startsWith('Unclosed tag')) return { line: lineAt(source, at), message: 'a tag is opened with {{ and never closed with }}' };
  return { line: lineAt(source, at), message: raw.replace(/ at \d+$/, '') };
}

/** Edit distance (Levenshtein), for "did you mean": names are short, so the plain O(n·m) table is fine. */
function distance(a: string, b: string): number {
  let row = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    const next = [i];
    for (let j = 1; j <= b.length; j++) next[j] = Math.min(row[j]! + 1, next[j - 1]! + 1, row[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1));
    row = next;
  }
  return row[b.length]!;
}

/**
 * The known variable closest to `name`, if close enough to be a typo: of the whole name
 * (`content_titel`) or of one of its words (`nme` for `site_name`, one edit further).
 */
export function suggestVariable(name: string, known: readonly string[]): string | null {
  const wanted = name.toLowerCase();
  let best: { name: string; d: number } | null = null;
  for (const candidate of known) {
    const words = candidate.split('_').filter((w) => w.length >= 3);
    const d = Math.min(distance(wanted, candidate), ...words.map((w) => distance(wanted, w) + 1));
    if (!best || d < best.d) best = { name: candidate, d };
  }
  return best && best.d <= Math.max(2, Math.floor(wanted.length / 3)) ? best.name : null;
}

/** Every known variable of a template type (top level and inside its sections). */
export function knownVariables(type: EmailTemplate['templateType']): string[] {
  const spec = TEMPLATE_VARIABLES[type];
  return [...new Set([...spec.top, ...Object.values(spec.sections ?? {}).flat()])];
}

/** Syntax errors and unknown variables of a draft; parts with a syntax error are not checked for variables. */
export function checkTemplate(type: EmailTemplate['templateType'], draft: TemplateDraft): TemplateCheck {
  const syntax: SyntaxProblem[] = [];
  const unknown = new Map<string, TemplatePart[]>();
  for (const [part, key] of PARTS) {
    const source = draft[key];
    try {
      Mustache.parse(source);
    } catch (e) {
      syntax.push({ part, ...describeSyntaxError(source, e) });
      continue;
    }
    for (const name of unknownTemplateVariables(type, source, PARTIALS_OF[key])) unknown.set(name, [...(unknown.get(name) ?? []), part]);
  }
  const known = knownVariables(type);
  // `partial:fotter`: the nearest shipped partial (`partial:footer`), as for a variable.
  const partials = Object.keys(PARTIALS_OF.htmlTemplate);
  const suggestion = (name: string) => {
    if (!name.startsWith('partial:')) return suggestVariable(name, known);
    const near = suggestVariable(name.slice('partial:'.length), partials);
    return near && `partial:${near}`;
  };
  return { syntax, unknown: [...unknown].map(([name, parts]) => ({ name, parts, suggestion: suggestion(name) })) };
}

/** How the editor shows a name: `{{site_name}}`, or `{{> footer}}` for a partial (`partial:footer`). */
export const tagOf = (name: string): string => (name.startsWith('partial:') ? `{{> ${name.slice('partial:'.length)}}}` : `{{${name}}}`);

/** One sentence per syntax error, for the save refusal and the preview. */
export const syntaxMessage = (problems: SyntaxProblem[]): string =>
  `The template has ${problems.length === 1 ? 'a Mustache syntax error' : 'Mustache syntax errors'}: ` +
  problems.map((p) => `${p.part} part, line ${p.line}: ${p.message}`).join('; ') +
  '.';
