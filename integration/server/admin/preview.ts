/**
 * A post's email as the processor renders it: the active templates through the same
 * TemplateSet and view builders (integration/delivery/render.ts), with sample link tokens (real ones
 * are issued per reader at send time). "Send a test to me" builds the MIME message the same
 * way and hands it to the configured transport (in dev: the /dev/mail capture).
 */
import type { Db } from '../../../db/client';
import { desc } from 'drizzle-orm';
import { contentItems, type ContentItem, type EmailTemplate } from '../../../db/schema';
import { getActiveTemplates } from '../../../db/content/templates';
import type { DeliveryConfig } from '../../delivery/config';
import { buildMessage, makeMessageId } from '../../delivery/mime';
import { contentView, digestView, postItemFields, templateNameFor, TemplateSet, verificationView, type Rendered } from '../../delivery/render';
import type { SendResult, Transport } from '../../delivery/transport';

export const PREVIEW_TOKEN = 'preview-token';

export type PreviewConfig = Pick<DeliveryConfig, 'siteName' | 'siteUrl' | 'homeUrl' | 'postalAddress' | 'from' | 'messageIdDomain' | 'replyTo'>;

/** Which template renders the immediate email of an item. */
export const templateNameForItem = (item: Pick<ContentItem, 'contentType'>) =>
  templateNameFor(item.contentType === 'announcement' ? 'announcement' : 'new_content', item.contentType);

function linksFor(config: PreviewConfig, recipientEmail: string) {
  return {
    recipientEmail,
    unsubscribeUrl: `${config.siteUrl}/unsubscribe?token=${PREVIEW_TOKEN}`,
    preferencesUrl: `${config.siteUrl}/preferences?token=${PREVIEW_TOKEN}`,
  };
}

// The processor's own mapping: the preview shows the post's body exactly as readers get it.
const itemFields = postItemFields;

/** Renders an item's email; `override` replaces one template (the editor's unsaved draft). */
export async function renderPostEmail(
  db: Db,
  config: PreviewConfig,
  item: ContentItem,
  recipientEmail: string,
  override?: EmailTemplate,
): Promise<Rendered & { templateName: string }> {
  const active = await getActiveTemplates(db);
  const templates = new TemplateSet(override ? [...active.filter((t) => t.templateName !== override.templateName), override] : active);
  const templateName = templateNameForItem(item);
  const view = contentView(
    { siteName: config.siteName, homeUrl: config.homeUrl, postalAddress: config.postalAddress },
    linksFor(config, recipientEmail),
    itemFields(item),
  );
  return { ...templates.render(templateName, view), templateName };
}

/** Sends a rendered email to one address, subject marked as a test: the post page's and the template editor's test send. */
export async function sendRenderedTest(config: PreviewConfig, transport: Transport, rendered: Rendered, to: string, listKind: string): Promise<SendResult> {
  const messageId = makeMessageId(config.messageIdDomain);
  const raw = buildMessage({
    from: config.from,
    to: { email: to },
    subject: `[Test] ${rendered.subject}`,
    html: rendered.html,
    text: rendered.text,
    messageId,
    date: new Date(),
    listUnsubscribeUrl: `${config.siteUrl}/api/unsubscribe/one-click?token=${PREVIEW_TOKEN}`,
    listId: `${listKind}.${new URL(config.siteUrl).hostname}`,
    ...(config.replyTo ? { replyTo: config.replyTo } : {}),
  });
  return transport.send({ to, raw, messageIdHeader: messageId });
}

/** Sends the post's email to one address, subject marked as a test. */
export async function sendTestEmail(db: Db, config: PreviewConfig, transport: Transport, item: ContentItem, to: string): Promise<SendResult> {
  return sendRenderedTest(config, transport, await renderPostEmail(db, config, item, to), to, item.contentType);
}

/**
 * A template (saved or a draft) rendered on real content: the latest post it would be used
 * for (digest: the latest three items; verification: a sample link). Throws on a template
 * the renderer refuses.
 */
export async function renderTemplatePreview(
  db: Db,
  config: PreviewConfig,
  template: EmailTemplate,
  recipientEmail: string,
): Promise<{ rendered: Rendered; on: string } | null> {
  const site = { siteName: config.siteName, homeUrl: config.homeUrl, postalAddress: config.postalAddress };
  const links = linksFor(config, recipientEmail);
  const set = new TemplateSet([template]);
  if (template.templateType === 'system') {
    return {
      rendered: set.render(template.templateName, verificationView(site, links, `${config.siteUrl}/verify?token=${PREVIEW_TOKEN}`)),
      on: 'a sample confirmation link',
    };
  }
  const latest = await db.select().from(contentItems).orderBy(desc(contentItems.publishDate)).limit(50);
  if (template.templateType === 'digest') {
    const items = latest.slice(0, 3);
    if (items.length === 0) return null;
    return { rendered: set.render(template.templateName, digestView(site, links, 'daily', items.map(itemFields))), on: items.map((i) => i.title).join(', ') };
  }
  const post = latest.find((i) => templateNameForItem(i) === template.templateName);
  if (!post) return null;
  return { rendered: set.render(template.templateName, contentView(site, links, itemFields(post))), on: post.title };
}
