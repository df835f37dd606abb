/**
 * A post's rendered HTML made email-safe, once per post at build time (in Node): CSS inlined by
 * juice, every URL absolute, images sized, embeds and scripts turned into labelled links, then
 * cut at a block boundary under Gmail's clip, with the text part made from the same cut by
 * html-to-text. Per reader only the template's links change (integration/delivery/batch.ts).
 */
import * as cheerio from 'cheerio';
import type { AnyNode, Element } from 'domhandler';
import { convert } from 'html-to-text';
import juice from 'juice';

/** How much of a post its email carries; per collection (integration/options.ts). */
export type EmailMode = 'full' | 'excerpt' | 'summary';

/**
 * Gmail clips an HTML part past about 102 KB; the template, footer and per-reader links take
 * about 4 KB: the body stays under this many UTF-8 bytes.
 */
export const BODY_LIMIT_BYTES = 90_000;
/** Email width the templates use; wider images are scaled to it. */
const MAX_WIDTH = 536;

/** What mail clients need and the site's stylesheet gave: juice inlines it. Shiki's own inline styles win (more specific). */
const BASE_CSS = `
p, ul, ol, blockquote, table, pre, figure { margin: 0 0 16px 0; }
p, li { font-size: 17px; line-height: 1.6; color: #27272a; }
h1, h2, h3, h4, h5, h6 { color: #18181b; line-height: 1.3; margin: 28px 0 12px 0; }
h2 { font-size: 22px; } h3 { font-size: 19px; } h4, h5, h6 { font-size: 17px; }
a { color: #1d4ed8; }
img { max-width: 100%; height: auto; border: 0; }
pre { padding: 14px 16px; border-radius: 8px; background-color: #f4f4f5; color: #18181b; font-size: 13px; line-height: 1.5;
  white-space: pre-wrap; word-break: break-word; font-family: ui-monospace, SFMono-Regular, Menlo, Consolas, monospace; }
code { font-family: ui-monospace, SFMono-Regular, Menlo, Consolas, monospace; font-size: 0.9em; }
:not(pre) > code { background-color: #f4f4f5; padding: 1px 4px; border-radius: 4px; }
blockquote { border-left: 4px solid #d4d4d8; padding: 0 0 0 14px; color: #3f3f46; }
table { border-collapse: collapse; width: 100%; }
th, td { border: 1px solid #d4d4d8; padding: 6px 10px; text-align: left; font-size: 15px; }
hr { border: 0; border-top: 1px solid #e4e4e7; margin: 24px 0; }
.footnotes, section[data-footnotes] { font-size: 14px; color: #3f3f46; }
`;

const EMBEDS = 'iframe, embed, object, video, audio, form, canvas, svg';

export type BodyOptions = {
  /** The entry's absolute URL: relative links resolve against it, "Continue reading" opens it. */
  pageUrl: string;
  siteName: string;
  mode?: EmailMode;
  /** `excerpt`: paragraphs kept. */
  paragraphs?: number;
  limitBytes?: number;
};

export type EmailBody = { html: string; text: string; cut: boolean };

const bytes = (s: string) => Buffer.byteLength(s, 'utf8');

function absolute(url: string | undefined, base: string): string | null {
  if (!url) return null;
  try {
    const resolved = new URL(url.trim(), base);
    return ['http:', 'https:', 'mailto:', 'tel:'].includes(resolved.protocol) ? resolved.href : null;
  } catch {
    return null;
  }
}

const escapeHtml = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');

const linkBlock = (href: string, label: string) => `<p><a href="${escapeHtml(href)}">${escapeHtml(label)}</a></p>`;

/** Interactive or embedded parts cannot run in a mail client: each becomes a link that says what it was. */
function replaceEmbeds($: cheerio.CheerioAPI, pageUrl: string, siteName: string): void {
  $(EMBEDS).each((_, el) => {
    const node = $(el);
    const tag = (el as Element).tagName.toLowerCase();
    const src = absolute(node.attr('src') ?? node.attr('data') ?? node.find('source').attr('src'), pageUrl);
    const title = node.attr('title') ?? node.attr('aria-label');
    const what =
      {
        iframe: 'the embedded content',
        embed: 'the embedded content',
        object: 'the embedded content',
        video: 'the video',
        audio: 'the audio',
        form: 'the form',
        canvas: 'the interactive figure',
        svg: 'the figure',
      }[tag] ?? 'this part';
    // An inline SVG with a title is a picture; keep its label, link the post.
    const label = title ? `${title} (open ${what} on ${siteName})` : `Open ${what} on ${siteName}`;
    node.replaceWith(linkBlock(tag === 'form' || !src ? pageUrl : src, label));
  });
  // A script has no label of its own: the first one says the post has interactive parts on the site.
  let said = false;
  $('script, noscript, template, link, meta, astro-island > template').each((_, el) => {
    const isScript = (el as Element).tagName.toLowerCase() === 'script';
    if (isScript && !said) {
      said = true;
      $(el).replaceWith(linkBlock(pageUrl, `Part of this post is interactive: open it on ${siteName}`));
    } else $(el).remove();
  });
}

function absoluteUrls($: cheerio.CheerioAPI, pageUrl: string): void {
  $('a[href]').each((_, el) => {
    const href = absolute($(el).attr('href'), pageUrl);
    if (href) $(el).attr('href', href);
    else $(el).removeAttr('href'); // javascript: and the like never reach a mailbox
  });
  $('img').each((_, el) => {
    const img = $(el);
    const src = absolute(img.attr('src'), pageUrl);
    if (!src) return void img.remove();
    img.attr('src', src).removeAttr('srcset').removeAttr('sizes').removeAttr('loading').removeAttr('decoding');
    img.attr('alt', img.attr('alt') ?? '');
    const width = Number(img.attr('width'));
    const height = Number(img.attr('height'));
    if (width > 0 && width <= MAX_WIDTH) return; // known and small enough: keep width and height
    img.attr('width', String(MAX_WIDTH));
    if (width > 0 && height > 0) img.attr('height', String(Math.round((height * MAX_WIDTH) / width)));
    else img.removeAttr('height');
  });
  $('[tabindex]').removeAttr('tabindex');
}

/** The top-level blocks; a lone wrapper (an MDX layout's div, an article) is looked through. */
function blocksOf($: cheerio.CheerioAPI, root: AnyNode[]): AnyNode[] {
  let nodes = root.filter((n) => n.type !== 'text' || $(n).text().trim() !== '');
  while (
    nodes.length === 1 &&
    nodes[0]!.type === 'tag' &&
    ['div', 'article', 'section', 'main'].includes((nodes[0] as Element).tagName) &&
    !$(nodes[0]).is('[data-footnotes]')
  ) {
    nodes = (nodes[0] as Element).children.filter((n) => n.type !== 'text' || $(n).text().trim() !== '');
  }
  return nodes;
}

/**
 * Whole blocks until the next one would pass the limit (or, for an excerpt, after the Nth
 * paragraph); never a cut inside a tag. Returns the kept HTML and whether anything was left out.
 */
function keepBlocks($: cheerio.CheerioAPI, blocks: AnyNode[], limit: number, paragraphs: number | null): { html: string; cut: boolean } {
  let html = '';
  let size = 0;
  let seen = 0;
  for (let i = 0; i < blocks.length; i++) {
    const piece = $.html(blocks[i]!);
    const grown = size + bytes(piece);
    if (grown > limit) return { html, cut: true };
    html += piece;
    size = grown;
    if (paragraphs !== null && blocks[i]!.type === 'tag' && (blocks[i] as Element).tagName === 'p' && ++seen >= paragraphs) {
      return { html, cut: blocks.slice(i + 1).some((b) => b.type === 'tag') };
    }
  }
  return { html, cut: false };
}

/** The text part: the same HTML through html-to-text, links written after their words. */
export function textOf(html: string): string {
  return convert(html, {
    wordwrap: 78,
    selectors: [
      { selector: 'a', options: { hideLinkHrefIfSameAsText: true, linkBrackets: ['<', '>'] } },
      { selector: 'img', options: { linkBrackets: ['<', '>'] } },
      { selector: 'h1', options: { uppercase: false } },
      { selector: 'h2', options: { uppercase: false } },
      { selector: 'h3', options: { uppercase: false } },
      { selector: 'table', format: 'dataTable' },
      { selector: 'pre', options: { leadingLineBreaks: 1, trailingLineBreaks: 1 } },
    ],
  }).trim();
}

/** `summary` gives null: the email shows the card (title, description, button), as before. */
export function emailBody(rendered: string, options: BodyOptions): EmailBody | null {
  const mode = options.mode ?? 'full';
  if (mode === 'summary' || rendered.trim() === '') return null;
  const $ = cheerio.load(rendered, null, false);
  replaceEmbeds($, options.pageUrl, options.siteName);
  absoluteUrls($, options.pageUrl);
  const inlined = juice($.html(), {
    extraCss: BASE_CSS,
    removeStyleTags: true,
    preserveMediaQueries: false,
    preserveFontFaces: false,
    applyWidthAttributes: false,
    applyHeightAttributes: false,
  });
  const $$ = cheerio.load(inlined, null, false);
  // Classes and data attributes (Astro's scoped-style ids, Shiki's, footnotes') did their work in juice.
  $$('*').each((_, el) => {
    for (const name of Object.keys((el as Element).attribs)) if (name === 'class' || name.startsWith('data-')) $$(el).removeAttr(name);
  });
  const more = linkBlock(options.pageUrl, `Continue reading on ${options.siteName}`);
  const limit = (options.limitBytes ?? BODY_LIMIT_BYTES) - bytes(more);
  const kept = keepBlocks($$, blocksOf($$, $$.root().contents().toArray()), limit, mode === 'excerpt' ? Math.max(1, options.paragraphs ?? 3) : null);
  const html = kept.cut ? kept.html + more : kept.html;
  return { html, text: textOf(html), cut: kept.cut };
}
