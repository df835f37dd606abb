/** Characters of plain text kept in `content_preview`. */
export const PREVIEW_LENGTH = 200;

/**
 * Markdown to plain text, good enough for an email teaser: code blocks, images,
 * HTML and link targets go; the words stay.
 */
export function markdownToText(markdown: string): string {
  return (
    markdown
      .replace(/\r\n?/g, '\n')
      // Fenced code blocks and HTML comments say nothing a teaser needs.
      .replace(/^(```|~~~)[^\n]*\n[\s\S]*?(\n\1[^\n]*|$)/gm, ' ')
      .replace(/<!--[\s\S]*?-->/g, ' ')
      // Images before links: `![alt](src)` would otherwise leave a `!`.
      .replace(/!\[([^\]]*)\]\([^)]*\)/g, ' ')
      .replace(/!\[([^\]]*)\]\[[^\]]*\]/g, ' ')
      .replace(/\[([^\]]*)\]\([^)]*\)/g, '$1')
      .replace(/\[([^\]]*)\]\[[^\]]*\]/g, '$1')
      // Reference definitions `[x]: https://…` and autolinks `<https://…>`.
      .replace(/^\s{0,3}\[[^\]]+\]:\s*\S+.*$/gm, ' ')
      .replace(/<(https?:[^>\s]+)>/g, '$1')
      .replace(/<\/?[A-Za-z][^>]*>/g, ' ')
      // Line-start syntax: headings, quotes, list markers, rules, table pipes.
      .replace(/^\s{0,3}#{1,6}\s+/gm, '')
      .replace(/^\s{0,3}(>\s?)+/gm, '')
      .replace(/^\s*([-*+]|\d+[.)])\s+/gm, '')
      .replace(/^\s{0,3}([-*_]\s*){3,}$/gm, ' ')
      .replace(/^\s*\|?(\s*:?-+:?\s*\|)+\s*:?-*:?\s*$/gm, ' ')
      .replace(/\|/g, ' ')
      // Inline code keeps its text; emphasis markers go.
      .replace(/`+([^`]*)`+/g, '$1')
      .replace(/(\*\*|__)(?=\S)([\s\S]*?\S)\1/g, '$2')
      .replace(/(\*|_)(?=\S)([\s\S]*?\S)\1/g, '$2')
      .replace(/~~(?=\S)([\s\S]*?\S)~~/g, '$1')
      .replace(/\\([\\`*_{}[\]()#+\-.!>|~])/g, '$1')
      .replace(/\s+/g, ' ')
      .trim()
  );
}

/** The first `max` characters of the plain text, cut on a word boundary, with `…` when cut. */
export function contentPreview(markdown: string, max = PREVIEW_LENGTH): string {
  const text = markdownToText(markdown);
  if (text.length <= max) return text;
  // Leave room for the ellipsis; cut at the last space inside the limit.
  const room = text.slice(0, max);
  const space = room.lastIndexOf(' ');
  const cut = (space > max / 2 ? room.slice(0, space) : room.slice(0, max - 1)).replace(/[\s,;:.!?-]+$/, '');
  return `${cut.length < max ? cut : cut.slice(0, max - 1)}…`;
}
