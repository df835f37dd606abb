import { describe, expect, it } from 'vitest';
import { BODY_LIMIT_BYTES, emailBody } from './email-body';

const page = 'https://blog.example/blog/post';
const opts = { pageUrl: page, siteName: 'Plain Words' };
const SHIKI =
  '<pre class="astro-code github-dark-default" style="background-color:#0d1117;color:#e6edf3; overflow-x: auto;" tabindex="0" data-language="js">' +
  '<code><span class="line"><span style="color:#FF7B72">const</span><span style="color:#E6EDF3"> x = 1;</span></span></code></pre>';

describe('emailBody', () => {
  it('inlines CSS, makes links and images absolute, sizes images and keeps Shiki colours, tables and footnotes', () => {
    const html =
      '<style>.note{color:#b91c1c}</style><h2 id="a">Heading</h2>' +
      `<p class="note">See <a href="/about">about</a>, <a href="other">other</a> and <a href="#fn-1">1</a>.</p>
<ul><li>one</li><li>two</li></ul>${SHIKI}<p><img src="/img/a.png"><img src="b.png" alt="B" width="1200" height="600"></p>
<table><thead><tr><th>k</th></tr></thead><tbody><tr><td>v</td></tr></tbody></table>` +
      '<section data-footnotes class="footnotes"><ol><li id="fn-1">Foot note.</li></ol></section><p>Last paragraph.</p>';
    const body = emailBody(html, opts)!;
    expect(body.cut).toBe(false);
    expect(body.html).not.toMatch(/<style|class=/);
    expect(body.html).toMatch(/<p style="[^"]*color: #b91c1c;">See/);
    expect(body.html).toContain('href="https://blog.example/about"');
    expect(body.html).toContain('href="https://blog.example/blog/other"');
    expect(body.html).toContain('href="https://blog.example/blog/post#fn-1"');
    expect(body.html).toMatch(/<img src="https:\/\/blog\.example\/img\/a\.png" alt="" width="536" style="[^"]*max-width: 100%/);
    expect(body.html).toMatch(/<img src="https:\/\/blog\.example\/blog\/b\.png" alt="B" width="536" height="268"/);
    expect(body.html).toContain('background-color: #0d1117; color: #e6edf3');
    expect(body.html).toContain('<span style="color:#FF7B72">const</span>');
    expect(body.html).toContain('<td style=');
    expect(body.html).toContain('Foot note.');
    expect(body.text).toContain('Heading');
    expect(body.text).toContain('about <https://blog.example/about>');
    expect(body.text).toContain('const x = 1;');
    expect(body.text).toMatch(/Last paragraph\.$/);
  });

  it('turns scripts, iframes and forms into labelled links and drops javascript: links', () => {
    const body = emailBody(
      '<p>a <a href="javascript:alert(1)">x</a></p><iframe src="https://www.youtube.com/embed/1" title="A talk"></iframe>' +
        '<form action="/s"><input></form><script>1</script><script>2</script>',
      opts,
    )!;
    expect(body.html).not.toMatch(/<iframe|<form|<script|javascript:/);
    expect(body.html).toContain('<a href="https://www.youtube.com/embed/1"');
    expect(body.html).toContain('A talk (open the embedded content on Plain Words)');
    expect(body.html).toContain(`<a href="${page}"`);
    expect(body.html.match(/interactive/g)).toHaveLength(1);
  });

  it('cuts a long post at a block boundary under the limit, text following the same cut', () => {
    const para = (i: number) => `<p>Paragraph ${i} ${'words '.repeat(200)}</p>`;
    const body = emailBody(Array.from({ length: 200 }, (_, i) => para(i)).join('\n'), opts)!;
    expect(body.cut).toBe(true);
    expect(Buffer.byteLength(body.html)).toBeLessThanOrEqual(BODY_LIMIT_BYTES);
    expect(body.html).toMatch(/<\/p><p><a href="https:\/\/blog\.example\/blog\/post"[^>]*>Continue reading on Plain Words<\/a><\/p>$/);
    const last = Number(body.html.match(/Paragraph (\d+)(?![\s\S]*Paragraph \d)/)![1]);
    expect(body.text).toContain(`Paragraph ${last} `);
    expect(body.text).not.toContain(`Paragraph ${last + 1} `);
    expect(body.text).toMatch(/Continue reading on Plain Words <https:\/\/blog\.example\/blog\/post>$/);
  });

  it('excerpt keeps the first N paragraphs; summary gives no body', () => {
    const html = '<p>One</p><h2>H</h2><p>Two</p><p>Three</p>';
    const body = emailBody(html, { ...opts, mode: 'excerpt', paragraphs: 2 })!;
    expect(body.html).toContain('Two');
    expect(body.html).not.toContain('Three');
    expect(body.html).toContain('Continue reading on Plain Words');
    expect(emailBody(html, { ...opts, mode: 'summary' })).toBeNull();
  });
});
