/**
 * One claimed batch → outcomes: cancel what is no longer wanted, group digests, create the
 * readers' link tokens (one round trip for the batch), render, build MIME, send (through the
 * transport's batch endpoint when it has one, else with bounded concurrency; verification
 * mail through the transactional transport when one is set), and turn each result into
 * sent / retry / failed. Recording is the caller's
 * (one batch() for all outcomes).
 */
import type { Db } from '../../db/client';
import { unifyMessageIds, type ClaimedRow, type Outcome } from '../../db/delivery/claims';
import { createUnsubscribeTokens, type CreateUnsubscribeTokenParams } from '../../db/readers/unsubscribe-tokens';
import { postsForEmail, type PostForEmail } from '../../db/content/content';
import { isContentType } from '../../db/delivery/eligibility';
import type { ContentType } from '../../db/schema';
import { retryDelaySeconds } from './backoff';
import type { DeliveryConfig } from './config';
import { buildMessage, HeaderInjectionError } from './mime';
import {
  contentView,
  digestView,
  postItemFields,
  templateNameFor,
  TemplateMissingError,
  verificationView,
  type ItemFields,
  type TemplateSet,
  type View,
} from './render';
import { clickUrl, openPixelUrl, trackBodyLinks } from './tracking';
import { systemTemplateFor } from './verification';
import { emailTranslator } from '../i18n/email';
import type { OutgoingEmail, SendResult, Transport } from './transport';

/** Sends in flight at once: enough to hide latency, few enough to stay polite to the provider. */
export const SEND_CONCURRENCY = 4;
/** A batch-capable transport that names no limit gets this many emails a request. */
const DEFAULT_TRANSPORT_BATCH = 100;

type BatchContext = {
  db: Db;
  transport: Transport;
  /** For verification mail when it has its own transport; else `transport`. */
  transactionalTransport?: Transport;
  config: DeliveryConfig;
  templates: TemplateSet;
  random: () => number;
  now: Date;
};

/** One email: a single notification, or all of a reader's due digest rows. */
type Unit = { kind: 'single' | 'digest'; rows: ClaimedRow[]; lead: ClaimedRow; messageIdHeader: string };

function groupUnits(rows: readonly ClaimedRow[]): { units: Unit[]; cancelled: Outcome[] } {
  const cancelled: Outcome[] = [];
  const units: Unit[] = [];
  const digests = new Map<string, ClaimedRow[]>();
  for (const row of rows) {
    if (!row.eligible || !row.email) {
      cancelled.push({ kind: 'cancelled', row, reason: 'reader no longer eligible (unsubscribed, bounced, blocked or preference off)' });
      continue;
    }
    if (row.notificationType === 'digest') {
      digests.set(row.userId, [...(digests.get(row.userId) ?? []), row]);
    } else {
      units.push({ kind: 'single', rows: [row], lead: row, messageIdHeader: row.messageIdHeader });
    }
  }
  for (const group of digests.values()) {
    // Oldest item first; the digest's Message-ID is the smallest of its rows' (stable across retries).
    group.sort((a, b) => (a.publishDate?.getTime() ?? 0) - (b.publishDate?.getTime() ?? 0) || a.id.localeCompare(b.id));
    const messageIdHeader = group.map((r) => r.messageIdHeader).sort()[0]!;
    units.push({ kind: 'digest', rows: group, lead: group[0]!, messageIdHeader });
  }
  return { units, cancelled };
}

/** The one-click token unsubscribes from the email's content type; a mixed digest or a verification email, from everything. */
function oneClickScope(unit: Unit): ContentType | null {
  const types = new Set(unit.rows.map((r) => r.contentType));
  const [only] = types;
  return types.size === 1 && only && isContentType(only) ? only : null;
}

const needsPreferences = (unit: Unit) => unit.lead.notificationType !== 'verification';

type Links = { unsubscribeUrl: string; oneClickUrl: string; preferencesUrl?: string };

async function issueLinks(ctx: BatchContext, units: Unit[]): Promise<Links[]> {
  const requests: CreateUnsubscribeTokenParams[] = [];
  for (const unit of units) {
    requests.push({ userId: unit.lead.userId, tokenType: 'one_click', contentType: oneClickScope(unit), now: ctx.now });
    if (needsPreferences(unit)) requests.push({ userId: unit.lead.userId, tokenType: 'preference_change', now: ctx.now });
  }
  const issued = requests.length > 0 ? await createUnsubscribeTokens(ctx.db, requests) : [];
  const site = ctx.config.siteUrl;
  let i = 0;
  return units.map((unit) => {
    // The same one_click token serves the footer link (a page that confirms with a POST) and RFC 8058's POST.
    const token = encodeURIComponent(issued[i++]!.token);
    const unsubscribe = { unsubscribeUrl: `${site}/unsubscribe?token=${token}`, oneClickUrl: `${site}/api/unsubscribe/one-click?token=${token}` };
    if (!needsPreferences(unit)) return unsubscribe;
    return { ...unsubscribe, preferencesUrl: `${site}/preferences?token=${encodeURIComponent(issued[i++]!.token)}` };
  });
}

type Posts = Map<string, PostForEmail>;

/** The post as it is now when it still exists (title, description and body edited after fan-out show); else what fan-out copied. */
const itemOf = (row: ClaimedRow, posts: Posts): ItemFields => {
  const post = posts.get(row.contentId);
  if (post) return postItemFields(post);
  return {
    contentType: row.contentType,
    contentTitle: row.contentTitle,
    contentUrl: row.contentUrl,
    contentExcerpt: row.contentExcerpt,
    publishDate: row.publishDate,
  };
};

const listIdFor = (unit: Unit, siteUrl: string): string => {
  const host = new URL(siteUrl).hostname;
  const list = unit.kind === 'digest' ? 'digest' : unit.lead.notificationType === 'verification' ? 'account' : unit.lead.contentType;
  return `${list}.${host}`;
};

/** The rendered, MIME-built email for a unit (throws on a render or header problem). */
async function compose(ctx: BatchContext, unit: Unit, links: Links, posts: Posts): Promise<OutgoingEmail> {
  const { config } = ctx;
  const site = { siteName: config.siteName, homeUrl: config.homeUrl, postalAddress: config.postalAddress };
  const email = unit.lead.email!;
  const tracking = config.tracking.enabled && config.tracking.secret ? config.tracking.secret : null;
  const reader = {
    recipientEmail: email,
    unsubscribeUrl: links.unsubscribeUrl,
    preferencesUrl: links.preferencesUrl,
    trackingPixelUrl: tracking ? await openPixelUrl(config.siteUrl, tracking, unit.lead.id) : undefined,
  };
  // With tracking on, the HTML's content links go through the signed click redirect; the text part keeps plain links.
  const track = async (item: ItemFields): Promise<ItemFields> =>
    tracking ? { ...item, contentUrl: await clickUrl(config.siteUrl, tracking, unit.lead.id, item.contentUrl) } : item;
  // A post's own links too (a digest shows no body); this reader's body then differs from everyone's, so it is rendered whole.
  const trackBody = async (item: ItemFields): Promise<ItemFields> =>
    tracking && item.bodyHtml ? { ...item, bodyHtml: await trackBodyLinks(item.bodyHtml, config.siteUrl, tracking, unit.lead.id) } : item;

  // The reader's language (stored when they subscribed), else the site's (integration/i18n).
  const t = emailTranslator(config.locales, unit.lead.locale);
  const name =
    unit.lead.notificationType === 'verification' ? systemTemplateFor(unit.lead.contentId) : templateNameFor(unit.lead.notificationType, unit.lead.contentType);
  let textView: View;
  let htmlView: View;
  if (unit.kind === 'digest') {
    const period = unit.lead.frequency === 'weekly' ? 'weekly' : 'daily';
    const items = unit.rows.map((row) => itemOf(row, posts));
    textView = digestView(site, reader, period, items, t);
    htmlView = tracking ? digestView(site, reader, period, await Promise.all(items.map(track)), t) : textView;
  } else if (unit.lead.notificationType === 'verification') {
    textView = htmlView = verificationView(site, reader, unit.lead.contentUrl, unit.lead.contentExcerpt, t);
  } else {
    const item = itemOf(unit.lead, posts);
    textView = contentView(site, reader, item, t);
    htmlView = tracking ? contentView(site, reader, await trackBody(await track(item)), t) : textView;
  }
  const text = ctx.templates.renderParts(name, textView);
  const html = textView === htmlView ? text : tracking ? ctx.templates.render(name, htmlView) : ctx.templates.renderParts(name, htmlView);
  const raw = buildMessage({
    from: config.from,
    to: { email },
    subject: text.subject,
    html: html.html,
    text: text.text,
    messageId: unit.messageIdHeader,
    date: ctx.now,
    listUnsubscribeUrl: links.oneClickUrl,
    listId: listIdFor(unit, config.siteUrl),
    // Replies to a post or a digest reach the author; an address confirmation keeps From.
    ...(config.replyTo && unit.lead.notificationType !== 'verification' ? { replyTo: config.replyTo } : {}),
  });
  return { to: email, raw, messageIdHeader: unit.messageIdHeader };
}

function failureCode(error: unknown): string {
  if (error instanceof HeaderInjectionError) return 'header_injection';
  if (error instanceof TemplateMissingError) return 'template_missing';
  return 'render_error';
}

function outcomesFor(ctx: BatchContext, unit: Unit, result: SendResult): Outcome[] {
  const statsType = unit.kind === 'digest' ? 'digest' : unit.lead.contentType;
  if (result.ok) {
    return unit.rows.map((row) => ({ kind: 'sent', row, providerMessageId: result.providerMessageId, messageIdHeader: unit.messageIdHeader, statsType }));
  }
  const code = result.code ?? (result.retryable ? 'retryable' : 'permanent');
  const attempt = Math.max(...unit.rows.map((r) => r.retryCount)) + 1;
  if (result.retryable && attempt < ctx.config.maxAttempts) {
    const delay = retryDelaySeconds(attempt, ctx.random, result.retryAfterSeconds);
    const nextRetryAt = new Date(ctx.now.getTime() + delay * 1000);
    return unit.rows.map((row) => ({ kind: 'retry', row, error: result.error, code, nextRetryAt }));
  }
  const error = result.retryable ? `${result.error} (gave up after ${attempt} attempts)` : result.error;
  return unit.rows.map((row) => ({ kind: 'failed', row, error, code, statsType }));
}

/** Runs `fn` over items with at most `limit` in flight; results in input order. */
async function mapBounded<T, R>(items: readonly T[], limit: number, fn: (item: T) => Promise<R>): Promise<R[]> {
  const results = new Array<R>(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const i = next++;
      results[i] = await fn(items[i]!);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return results;
}

const transportFor = (ctx: BatchContext, unit: Unit): Transport =>
  unit.lead.notificationType === 'verification' && ctx.transactionalTransport ? ctx.transactionalTransport : ctx.transport;

/**
 * Sends through one transport: its batch endpoint when it has one (a request per
 * `maxBatchSize` emails, one Worker subrequest each), else one send per email, 4 at a time.
 */
async function sendAll(transport: Transport, emails: readonly OutgoingEmail[]): Promise<SendResult[]> {
  if (!transport.sendBatch) return mapBounded(emails, SEND_CONCURRENCY, (email) => transport.send(email));
  const size = Math.max(1, transport.maxBatchSize ?? DEFAULT_TRANSPORT_BATCH);
  const results: SendResult[] = [];
  for (let i = 0; i < emails.length; i += size) {
    const chunk = emails.slice(i, i + size);
    const answered = await transport.sendBatch(chunk);
    if (answered.length !== chunk.length) throw new Error(`${transport.name}.sendBatch answered ${answered.length} results for ${chunk.length} emails`);
    results.push(...answered);
  }
  return results;
}

/**
 * Sends a claimed batch and returns every row's outcome. A transport that throws is
 * treated as a crash: the exception propagates, nothing of the batch is recorded, and the
 * leases expire so another run sends those rows again (at-least-once delivery).
 */
export async function deliverBatch(ctx: BatchContext, rows: readonly ClaimedRow[]): Promise<Outcome[]> {
  const { units, cancelled } = groupUnits(rows);
  const outcomes: Outcome[] = [...cancelled];
  if (units.length === 0) return outcomes;

  const unify = units
    .filter((u) => u.kind === 'digest' && u.rows.some((r) => r.messageIdHeader !== u.messageIdHeader))
    .map((u) => ({ messageIdHeader: u.messageIdHeader, ids: u.rows.map((r) => r.id) }));
  await unifyMessageIds(ctx.db, unify);
  const links = await issueLinks(ctx, units);
  // Each post's body once for the whole batch; verification rows carry no post.
  const posts = await postsForEmail(
    ctx.db,
    units.flatMap((u) => (u.lead.notificationType === 'verification' ? [] : u.rows.map((r) => r.contentId))),
  );

  const composed = await Promise.all(
    units.map(async (unit, i) => {
      try {
        return { unit, email: await compose(ctx, unit, links[i]!, posts) };
      } catch (error) {
        const result: SendResult = { ok: false, retryable: false, code: failureCode(error), error: (error as Error).message };
        return { unit, result };
      }
    }),
  );
  const byTransport = new Map<Transport, { unit: Unit; email: OutgoingEmail }[]>();
  for (const c of composed) {
    if (!('email' in c) || !c.email) {
      outcomes.push(...outcomesFor(ctx, c.unit, (c as { result: SendResult }).result));
      continue;
    }
    const transport = transportFor(ctx, c.unit);
    const group = byTransport.get(transport) ?? [];
    group.push({ unit: c.unit, email: c.email });
    byTransport.set(transport, group);
  }
  for (const [transport, items] of byTransport) {
    const results = await sendAll(
      transport,
      items.map((item) => item.email),
    );
    items.forEach((item, i) => {
      outcomes.push(...outcomesFor(ctx, item.unit, results[i]!));
    });
  }
  return outcomes;
}
