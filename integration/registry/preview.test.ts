import { describe, expect, it } from 'vitest';
import { contentPreview, markdownToText, PREVIEW_LENGTH } from './preview';

describe('markdownToText', () => {
  it('strips Markdown syntax and keeps the words', () => {
    const md = [
      '# A heading',
      '',
      'Some **bold**, _italic_, ~~gone~~ and `code` with [a link](https://example.com "t") and <https://auto.link>.',
      '',
      '![an image](/img.png)',
      '',
      '> quoted text',
      '',
      '- one',
      '* two',
      '1. three',
      '',
      '```js',
      'const hidden = true;',
      '```',
      '',
      '<div class="x">html</div>',
      '',
      '---',
      '',
      '| a | b |',
      '|---|---|',
      '| c | d |',
      '',
      '[ref]: https://example.com/ref',
    ].join('\n');
    expect(markdownToText(md)).toBe('A heading Some bold, italic, gone and code with a link and https://auto.link. quoted text one two three html a b c d');
  });

  it('keeps a lone asterisk or underscore inside words', () => {
    expect(markdownToText('snake_case and 2 * 3')).toBe('snake_case and 2 * 3');
  });
});

describe('contentPreview', () => {
  it('returns short text whole', () => {
    expect(contentPreview('Just **one** line.')).toBe('Just one line.');
  });

  it('cuts long text on a word boundary within the limit', () => {
    const words = Array.from({ length: 80 }, (_, i) => `word${i}`).join(' ');
    const preview = contentPreview(words);
    expect(preview.length).toBeLessThanOrEqual(PREVIEW_LENGTH);
    expect(preview.endsWith('…')).toBe(true);
    const kept = preview.slice(0, -1);
    expect(words.startsWith(kept)).toBe(true);
    expect(words[kept.length]).toBe(' '); // the cut fell between two words
    expect(kept.length).toBeGreaterThan(PREVIEW_LENGTH - 12);
  });

  it('cuts a single overlong word hard', () => {
    const preview = contentPreview('x'.repeat(500));
    expect(preview).toBe(`${'x'.repeat(PREVIEW_LENGTH - 1)}…`);
  });

  it('measures the plain text, not the Markdown', () => {
    const md = `[${'a '.repeat(90)}](https://example.com/${'p'.repeat(300)})`;
    expect(contentPreview(md)).toBe('a '.repeat(90).trim());
  });
});
