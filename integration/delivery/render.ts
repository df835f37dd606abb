/**
 * Rendering: the `email_templates` rows through Mustache, parsed once per run (one Writer
 * per run caches the parsed tokens), with HTML-escaped values in the HTML part and plain
 * values in the subject and text parts. Views are built from the variable lists in
 * db/content/template-variables.ts, so a template can only use what is provided here. Every render gets the
 * shipped partials (`{{> footer}}`, db/templates/partials/): HTML ones in the HTML part, text ones in the text part.
 */
import Mustache from 'mustache';
import type { EmailTemplate } from '../../db/schema';
import { assertTemplateVariables, TemplateVariableError, unknownTemplateVariables } from '../../db/content/template-variables';
import { HTML_PARTIALS, TEXT_PARTIALS } from '../../db/templates/partials';
import { formatDate, translator, type MessageKey, type Translate } from '../i18n';
import { emailWords } from '../i18n/email';
import { sharedBody, type SplicedPart } from './mime';

export { assertTemplateVariables, TemplateVariableError, unknownTemplateVariables };

export type Rendered = { subject: string; html: string; text: string };
/** A message's parts with the post's body spliced in, not copied through the template (integration/delivery/mime.ts). */
export type RenderedParts = { subject: string; html: string | SplicedPart; text: string | SplicedPart };

/**
 * Stand-ins for the body while the template renders around it. Mustache's HTML escape changes `&`, so a template
 * that escapes the body (`{{content_body_html}}`) hides the marker and gets the whole render, escaped as it asked.
 * Latin-1 only: one character above it would make V8 store the reader's parts, and the message, two bytes a character.
 */
const HTML_MARKER = '\u0001body&html\u0001';
const TEXT_MARKER = '\u0001body&text\u0001';

/** The rendered part cut where the marker stands, once and only once; else null (the caller renders it whole). */
function spliceAt(rendered: string, marker: string, body: string): SplicedPart | null {
  const at = rendered.indexOf(marker);
  if (at < 0 || rendered.includes(marker, at + marker.length)) return null;
  const before = rendered.slice(0, at);
  const after = rendered.slice(at + marker.length);
  // A CR LF split by the splice would decode as two line breaks.
  if ((before.endsWith('\r') && body.startsWith('\n')) || (body.endsWith('\r') && after.startsWith('\n'))) return null;
  return { before, shared: sharedBody(body), after };
}
export type View = Record<string, unknown>;

export class TemplateMissingError extends Error {
  constructor(name: string) {
    super(`No active email template named "${name}"`);
    this.name = 'TemplateMissingError';
  }
}

/** Which template renders a notification. */
export function templateNameFor(notificationType: string, contentType: string): string {
  if (notificationType === 'digest') return 'digest';
  if (notificationType === 'verification') return 'verification';
  if (notificationType === 'announcement' || contentType === 'announcement') return 'announcement_notification';
  return `${contentType}_notification`; // blog_notification, thought_notification
}

const plain = (value: string) => value;

/** A subject is one line: any run of whitespace (CR and LF included) becomes one space. */
const singleLine = (value: string): string => value.replace(/[\s\u0000-\u001f\u007f]+/g, ' ').trim();

/** The active templates of one run: each source parsed once, then rendered per reader. */
export class TemplateSet {
  private readonly writer = new Mustache.Writer();
  private readonly byName: Map<string, EmailTemplate>;

  constructor(templates: readonly EmailTemplate[]) {
    this.byName = new Map(templates.map((t) => [t.templateName, t]));
  }

  has(name: string): boolean {
    return this.byName.has(name);
  }

  render(name: string, view: View): Rendered {
    const template = this.byName.get(name);
    if (!template) throw new TemplateMissingError(name);
    return {
      subject: singleLine(this.writer.render(template.subjectTemplate, view, undefined, { escape: plain })),
      html: this.writer.render(template.htmlTemplate, view, HTML_PARTIALS), // Mustache's default escape: HTML
      text: this.writer.render(template.textTemplate, view, TEXT_PARTIALS, { escape: plain }),
    };
  }

  /**
   * The same message, with a post's body (the same 50–100 KB for every reader) left out of the per-reader work:
   * the template renders around a marker, and the MIME builder splices in the body encoded once. Any doubt (no
   * body, the marker escaped, missing or twice, or in the subject) renders the whole message as render() does.
   */
  renderParts(name: string, view: View): RenderedParts {
    const html = view.content_body_html;
    const text = view.content_body_text;
    if (typeof html !== 'string' || typeof text !== 'string' || html === '' || text === '') return this.render(name, view);
    const marked = this.render(name, { ...view, content_body_html: HTML_MARKER, content_body_text: TEXT_MARKER });
    const htmlPart = spliceAt(marked.html, HTML_MARKER, html);
    const textPart = spliceAt(marked.text, TEXT_MARKER, text);
    if (!htmlPart || !textPart || /body&(?:html|text)/.test(marked.subject)) return this.render(name, view);
    return { subject: marked.subject, html: htmlPart, text: textPart };
  }
}

// ---------------------------------------------------------------- views

/** `homeUrl`: the site's home (SITE_URL's origin + Astro's base), where the site-name link goes. */
type SiteContext = { siteName: string; homeUrl: string; postalAddress: string };

export type ItemFields = {
  contentType: string;
  contentTitle: string;
  contentUrl: string;
  contentExcerpt: string | null;
  publishDate: Date | null;
  /** The post itself, made email-safe once at build time (integration/registry/email-body.ts); null: the summary card. */
  bodyHtml?: string | null;
  bodyText?: string | null;
  author?: string | null;
  heroImage?: string | null;
};

/** A content_items row as its email shows it now: the title, description and body as they are at send time. */
export type PostRow = {
  contentType: string;
  title: string;
  description: string | null;
  contentPreview: string | null;
  contentUrl: string | null;
  slug: string;
  publishDate: Date | null;
  emailHtml: string | null;
  emailText: string | null;
  author: string | null;
  heroImage: string | null;
};

/** The one mapping from a post to what its email shows (the processor, the console's preview and test send). */
export const postItemFields = (post: PostRow): ItemFields => ({
  contentType: post.contentType,
  contentTitle: post.title,
  contentUrl: post.contentUrl ?? post.slug,
  contentExcerpt: post.description ?? post.contentPreview ?? null,
  publishDate: post.publishDate,
  bodyHtml: post.emailHtml,
  bodyText: post.emailText,
  author: post.author,
  heroImage: post.heroImage,
});

/** One date format for the email, the console and the demo site (src/lib/content.ts): `10 March 2026`, a UTC calendar day. */
const dateFormat = new Intl.DateTimeFormat('en-GB', { year: 'numeric', month: 'long', day: 'numeric', timeZone: 'UTC' });
export const formatPublishDate = (date: Date): string => dateFormat.format(date);

const ENGLISH = translator('en');
/** The labels of a content type in the reader's language (integration/i18n, `email.*`). */
function labelsOf(contentType: string, t: Translate) {
  const kind = ['blog', 'thought', 'announcement'].includes(contentType) ? contentType : 'other';
  const key = (part: string) => `email.${part}.${kind}` as MessageKey;
  return { label: t(key('label')), plural: t(key('plural')), cta: t(key('cta')) };
}

function itemView(item: ItemFields, t: Translate = ENGLISH): View {
  const labels = labelsOf(item.contentType, t);
  return {
    content_title: singleLine(item.contentTitle),
    content_url: item.contentUrl,
    content_excerpt: item.contentExcerpt ?? '',
    content_type_label: labels.label,
    content_type_label_plural: labels.plural,
    cta_label: labels.cta,
    // One date format across site, email and console in English (`10 March 2026`); other languages through Intl.
    publish_date: item.publishDate ? (t.locale === 'en' ? formatPublishDate(item.publishDate) : formatDate(item.publishDate, t.locale)) : '',
    content_author: item.author ?? '',
  };
}

type ReaderLinks = { recipientEmail: string; unsubscribeUrl: string; preferencesUrl?: string; trackingPixelUrl?: string };

function commonView(site: SiteContext, links: ReaderLinks, t: Translate = ENGLISH, what = ''): View {
  return {
    ...emailWords(t, { site: site.siteName, email: links.recipientEmail, what }),
    site_name: site.siteName,
    site_url: site.homeUrl,
    postal_address: site.postalAddress,
    recipient_email: links.recipientEmail,
    unsubscribe_url: links.unsubscribeUrl,
    preferences_url: links.preferencesUrl ?? '',
    tracking_pixel_url: links.trackingPixelUrl ?? '',
  };
}

/** The body is the same string for every reader: Mustache only copies it into each message. */
export function contentView(site: SiteContext, links: ReaderLinks, item: ItemFields, t: Translate = ENGLISH): View {
  return {
    ...commonView(site, links, t, labelsOf(item.contentType, t).plural),
    ...itemView(item, t),
    content_body_html: item.bodyHtml ?? '',
    content_body_text: item.bodyText ?? '',
    hero_image_url: item.heroImage ?? '',
  };
}

export function digestView(site: SiteContext, links: ReaderLinks, period: 'daily' | 'weekly', items: ItemFields[], t: Translate = ENGLISH): View {
  const count = items.length;
  const title = t(`email.digestTitle.${period}`);
  return {
    ...commonView(site, links, t, labelsOf('other', t).plural),
    t_digest_subject: t('email.digest.subject', { title, count, site: site.siteName }),
    digest_period: period,
    digest_title: title,
    item_count: count,
    items: items.map((item) => itemView(item, t)),
  };
}

export function verificationView(
  site: SiteContext,
  links: ReaderLinks,
  verifyUrl: string,
  subscriptionSummary: string | null = null,
  t: Translate = ENGLISH,
): View {
  const words = emailWords(t, { site: site.siteName, email: links.recipientEmail, summary: subscriptionSummary ?? '' });
  return { ...commonView(site, links, t), ...words, verify_url: verifyUrl, subscription_summary: subscriptionSummary ?? '' };
}
