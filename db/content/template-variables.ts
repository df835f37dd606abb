/**
 * The one list of the variables the delivery code provides to each template type, and the
 * check that a template uses no other. It lives in db/ so createEmailTemplate can refuse a
 * bad template before it is stored (db imports nothing from src); the renderer in
 * integration/delivery/render.ts builds its views from the same lists.
 */
import Mustache from 'mustache';
import type { EmailTemplate } from '../schema';
import { HTML_PARTIALS, TEXT_PARTIALS } from '../templates/partials';

type TemplateType = EmailTemplate['templateType'];

/**
 * The reader's language (`lang`, `dir`) and the email's words in it (`t_…`, filled from the
 * catalog in integration/i18n/email.ts, which maps each name to its key).
 */
export const I18N_VARIABLES = [
  'lang',
  'dir',
  't_footer_why',
  't_footer_preferences',
  't_footer_unsubscribe',
  't_footer_never',
  't_verify_subject',
  't_verify_preheader',
  't_verify_heading',
  't_verify_intro',
  't_verify_chose',
  't_verify_button',
  't_verify_here',
  't_verify_ignore',
  't_digest_subject',
  't_welcome_subject',
  't_welcome_heading',
  't_welcome_intro',
  't_welcome_manage',
  't_welcome_here',
  't_sign_in_subject',
  't_sign_in_intro',
  't_sign_in_button',
  't_sign_in_ignore',
  't_password_subject',
  't_password_intro',
  't_password_button',
  't_password_ignore',
] as const;

/** Everything every email gets. */
const COMMON_VARIABLES = ['site_name', 'site_url', 'recipient_email', 'postal_address', 'unsubscribe_url', ...I18N_VARIABLES] as const;

/** One content item (a post, a thought, an announcement); also the fields of each digest item. */
const ITEM_VARIABLES = [
  'content_title',
  'content_url',
  'content_excerpt',
  'content_type_label',
  'content_type_label_plural',
  'cta_label',
  'publish_date',
  'content_author',
] as const;

/** The post itself (integration/registry/email-body.ts), in the immediate email only. */
const BODY_VARIABLES = ['content_body_html', 'content_body_text', 'hero_image_url'] as const;

export const TEMPLATE_VARIABLES: Record<TemplateType, { top: readonly string[]; sections?: Record<string, readonly string[]> }> = {
  notification: { top: [...COMMON_VARIABLES, ...ITEM_VARIABLES, ...BODY_VARIABLES, 'preferences_url', 'tracking_pixel_url'] },
  announcement: { top: [...COMMON_VARIABLES, ...ITEM_VARIABLES, ...BODY_VARIABLES, 'preferences_url', 'tracking_pixel_url'] },
  digest: {
    top: [...COMMON_VARIABLES, 'preferences_url', 'tracking_pixel_url', 'digest_period', 'digest_title', 'item_count', 'items'],
    // Inside {{#items}}…{{/items}} each item's fields are in scope (and the top level, as Mustache looks up).
    sections: { items: ITEM_VARIABLES },
  },
  // Transactional: the address confirmation. Its unsubscribe link means "never email me again".
  // verify_url is the email's one link (confirm, sign in, set password); subscription_summary restates a subscribe request.
  system: { top: [...COMMON_VARIABLES, 'verify_url', 'subscription_summary'] },
};

export class TemplateVariableError extends Error {
  constructor(
    message: string,
    readonly unknownVariables: string[],
  ) {
    super(message);
    this.name = 'TemplateVariableError';
  }
}

type Token = [string, string, number, number, Token[]?, number?];

/** The partials each part may use (db/templates/partials/): none in the subject. */
export type Partials = Readonly<Record<string, string>>;
export const PARTIALS_OF = { subjectTemplate: {}, htmlTemplate: HTML_PARTIALS, textTemplate: TEXT_PARTIALS } as const satisfies Record<string, Partials>;

/** `head (HTML only), footer, footer_system`: the names {{> name}} may use, for messages. */
export const partialNames = (): string =>
  [...new Set([...Object.keys(HTML_PARTIALS), ...Object.keys(TEXT_PARTIALS)])]
    .sort()
    .map((name) => (name in TEXT_PARTIALS ? name : `${name} (HTML only)`))
    .join(', ');

type Scope = { allowed: Set<string>; sections: Record<string, readonly string[]>; partials: Partials; expanding: readonly string[] };

function collectUnknown(tokens: Token[], scope: Scope, inSection: boolean, out: Set<string>) {
  const { allowed, sections, partials } = scope;
  for (const token of tokens) {
    const [kind, value] = token;
    if (kind === 'text' || kind === '!' || kind === '=') continue;
    if (kind === '>' || kind === '<' || kind === '$') {
      // A shipped partial is checked as if written in place, with what this template type provides; any other name is unknown.
      if (kind === '>' && Object.hasOwn(partials, value) && !scope.expanding.includes(value)) {
        const inner = Mustache.parse(partials[value]!) as unknown as Token[];
        collectUnknown(inner, { ...scope, expanding: [...scope.expanding, value] }, inSection, out);
      } else out.add(`partial:${value}`);
      continue;
    }
    // name, &, {, #, ^ all look a name up. '.' is the current item, valid inside a section only.
    if (value === '.') {
      if (!inSection) out.add('.');
    } else {
      const head = value.split('.')[0]!;
      if (!allowed.has(head)) out.add(value);
    }
    if ((kind === '#' || kind === '^') && token[4]) {
      const extra = kind === '#' ? (sections[value] ?? []) : [];
      const inner = extra.length > 0 ? new Set([...allowed, ...extra]) : allowed;
      collectUnknown(token[4], { ...scope, allowed: inner }, true, out);
    }
  }
}

/**
 * The variables used by a Mustache source that `type` does not provide (empty = fine), `partial:x` for a partial
 * not among `partials` (the part's: PARTIALS_OF). Throws on a syntax error.
 */
export function unknownTemplateVariables(type: TemplateType, source: string, partials: Partials = {}): string[] {
  const spec = TEMPLATE_VARIABLES[type];
  if (!spec) throw new TemplateVariableError(`Unknown template type "${type}"`, []);
  const tokens = Mustache.parse(source) as unknown as Token[];
  const out = new Set<string>();
  collectUnknown(tokens, { allowed: new Set(spec.top), sections: spec.sections ?? {}, partials, expanding: [] }, false, out);
  return [...out];
}

/** Refuses a template (subject, HTML and text) that uses a variable the system does not provide. */
export function assertTemplateVariables(type: TemplateType, parts: { subjectTemplate: string; htmlTemplate: string; textTemplate: string }): void {
  const unknown = new Set<string>();
  const sources = { subjectTemplate: parts.subjectTemplate, htmlTemplate: parts.htmlTemplate, textTemplate: parts.textTemplate };
  for (const [part, source] of Object.entries(sources) as [keyof typeof sources, string][]) {
    if (typeof source !== 'string') throw new TemplateVariableError(`${part} is required`, []);
    let found: string[];
    try {
      found = unknownTemplateVariables(type, source, PARTIALS_OF[part]);
    } catch (error) {
      if (error instanceof TemplateVariableError) throw error;
      throw new TemplateVariableError(`${part} is not valid Mustache: ${(error as Error).message}`, []);
    }
    for (const name of found) unknown.add(name);
  }
  if (unknown.size > 0) {
    const list = [...unknown];
    throw new TemplateVariableError(
      `Template uses ${list.length === 1 ? 'a variable' : 'variables'} the system does not provide for "${type}" templates: ${list.join(', ')}. ` +
        `Available: ${TEMPLATE_VARIABLES[type].top.join(', ')}` +
        (list.some((name) => name.startsWith('partial:')) ? `. Partials: ${partialNames()}` : ''),
      list,
    );
  }
}
