/**
 * The dev mail viewer's logic, kept out of the .astro files so it is unit-tested.
 * Dev only: every route answers 404 unless MAIL_TRANSPORT is 'dev' AND the request
 * came to a loopback host, so captured mail (with live unsubscribe tokens) can
 * never be read on a deployed site, even if MAIL_TRANSPORT were left at 'dev'.
 */
import PostalMime from 'postal-mime';
import { isLoopbackUrl } from '../../../loopback';

export function devMailEnabled(mailTransport: string | undefined, url: URL): boolean {
  if (mailTransport !== 'dev') return false;
  return isLoopbackUrl(url); // the console's dev bypass uses the same definition
}

export const notFound = (): Response =>
  new Response('Not found', { status: 404, headers: { 'content-type': 'text/plain; charset=utf-8', 'cache-control': 'no-store' } });

/** Headers for every viewer response: never cached, never indexed, links leak no referrer. */
export const VIEWER_HEADERS: Record<string, string> = {
  'cache-control': 'no-store',
  'x-robots-tag': 'noindex',
  'referrer-policy': 'no-referrer',
};

/**
 * The HTML part is served alone under this policy, and framed with a sandbox: no
 * scripts, no forms, no plugins, no same-origin access; images and inline styles
 * load like in a mail client; links may open in a new tab.
 */
export const HTML_PART_CSP = [
  "default-src 'none'",
  'img-src http: https: data:',
  "style-src 'unsafe-inline' http: https:",
  'font-src http: https: data:',
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'self'",
  'sandbox allow-popups allow-popups-to-escape-sandbox',
].join('; ');

/**
 * Links in the framed HTML part open in a new tab: followed inside the sandboxed frame, they
 * would load the site there without scripts or same-origin access, and its buttons would do
 * nothing. A `<base target>` (no href, so `base-uri 'none'` does not apply) does it for every
 * link; the sandbox's allow-popups-to-escape-sandbox lets the new tab work normally.
 */
export function openLinksInNewTab(html: string): string {
  const base = '<base target="_blank">';
  const head = /<head(\s[^>]*)?>/i.exec(html);
  if (head) return html.slice(0, head.index + head[0].length) + base + html.slice(head.index + head[0].length);
  return base + html;
}

const ENTITIES: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'", nbsp: '\u00a0' };

export function decodeEntities(text: string): string {
  return text.replace(/&(#x[0-9a-f]+|#\d+|[a-z]+);/gi, (whole, name: string) => {
    if (name[0] === '#') {
      const code = name[1] === 'x' || name[1] === 'X' ? parseInt(name.slice(2), 16) : parseInt(name.slice(1), 10);
      return Number.isFinite(code) && code > 0 && code <= 0x10ffff ? String.fromCodePoint(code) : whole;
    }
    return ENTITIES[name.toLowerCase()] ?? whole;
  });
}

export type MessageLink = { href: string; text: string };

/** http(s) links of an HTML part, in order, without duplicates (javascript: and the like are dropped). */
export function extractLinks(html: string): MessageLink[] {
  const links: MessageLink[] = [];
  const seen = new Set<string>();
  const anchor = /<a\b([^>]*)>([\s\S]*?)<\/a\s*>/gi;
  for (const match of html.matchAll(anchor)) {
    const attrs = match[1] ?? '';
    const hrefMatch = /\bhref\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s"'>]+))/i.exec(attrs);
    if (!hrefMatch) continue;
    const href = decodeEntities((hrefMatch[1] ?? hrefMatch[2] ?? hrefMatch[3] ?? '').trim());
    if (!/^https?:\/\//i.test(href)) continue;
    const text =
      decodeEntities((match[2] ?? '').replace(/<[^>]*>/g, ' '))
        .replace(/\s+/g, ' ')
        .trim() || href;
    const key = `${href}\n${text}`;
    if (seen.has(key)) continue;
    seen.add(key);
    links.push({ href, text });
  }
  return links;
}

/** http(s) URLs in a text part (when there is no HTML part). */
export function extractTextLinks(text: string): MessageLink[] {
  // Sentence punctuation right after a URL is not part of it.
  const urls = (text.match(/https?:\/\/[^\s<>"')\]]+/gi) ?? []).map((u) => u.replace(/[.,;:!?]+$/, ''));
  return [...new Set(urls)].map((href) => ({ href, text: href }));
}

export type MessageView = {
  subject: string;
  from: string;
  to: string;
  date: string;
  messageId: string;
  headers: Array<{ name: string; value: string }>;
  text: string;
  html: string | undefined;
  links: MessageLink[];
};

const formatAddress = (a: { name?: string; address?: string } | undefined) => (!a ? '' : a.name ? `${a.name} <${a.address ?? ''}>` : (a.address ?? ''));

export async function messageView(raw: string): Promise<MessageView> {
  const email = await PostalMime.parse(raw);
  const html = email.html;
  const text = email.text ?? '';
  return {
    subject: email.subject ?? '',
    from: formatAddress(email.from as { name?: string; address?: string } | undefined),
    to: (email.to ?? []).map((a) => formatAddress(a as { name?: string; address?: string })).join(', '),
    date: email.date ?? '',
    messageId: email.messageId ?? '',
    headers: email.headers.map((h) => ({ name: h.originalKey, value: h.value })),
    text,
    html,
    links: html ? extractLinks(html) : extractTextLinks(text),
  };
}

/** A safe download name: `<id>.eml`. */
export const emlFileName = (id: string): string => `${id.replace(/[^A-Za-z0-9_-]/g, '') || 'message'}.eml`;
