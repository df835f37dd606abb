import { describe, expect, it } from 'vitest';
import { buildMessage, makeMessageId } from '../../../delivery/mime';
import { decodeEntities, devMailEnabled, emlFileName, extractLinks, extractTextLinks, HTML_PART_CSP, messageView } from './_view';

describe('devMailEnabled', () => {
  it('only with MAIL_TRANSPORT=dev on a loopback host', () => {
    expect(devMailEnabled('dev', new URL('http://localhost:4321/dev/mail'))).toBe(true);
    expect(devMailEnabled('dev', new URL('http://127.0.0.1:8787/dev/mail'))).toBe(true);
    expect(devMailEnabled('dev', new URL('http://[::1]:4321/dev/mail'))).toBe(true);
    expect(devMailEnabled('gmail', new URL('http://localhost:4321/dev/mail'))).toBe(false);
    expect(devMailEnabled(undefined, new URL('http://localhost:4321/dev/mail'))).toBe(false);
    expect(devMailEnabled('dev', new URL('https://blog.example.com/dev/mail'))).toBe(false);
    expect(devMailEnabled('dev', new URL('https://localhost.example.com/dev/mail'))).toBe(false);
    expect(devMailEnabled('DEV', new URL('http://localhost/dev/mail'))).toBe(false);
  });
});

describe('extractLinks', () => {
  it('finds http(s) anchors with their text, decoding entities, in order, once each', () => {
    const html = `
      <p><a href="https://blog.example.com/verify?token=a&amp;x=1" class="btn">Confirm <b>my</b>&nbsp;subscription</a></p>
      <a href='https://blog.example.com/preferences?token=p'>Preferences</a>
      <a href=https://blog.example.com/u?t=1>Unsubscribe</a>
      <a href="javascript:alert(1)">evil</a><a name="x">anchor</a><a href="mailto:a@example.com">mail</a>
      <a href="https://blog.example.com/verify?token=a&amp;x=1" class="btn">Confirm <b>my</b>&nbsp;subscription</a>
      <A HREF="https://blog.example.com/caps">Caps</A>`;
    expect(extractLinks(html)).toEqual([
      { href: 'https://blog.example.com/verify?token=a&x=1', text: 'Confirm my subscription' },
      { href: 'https://blog.example.com/preferences?token=p', text: 'Preferences' },
      { href: 'https://blog.example.com/u?t=1', text: 'Unsubscribe' },
      { href: 'https://blog.example.com/caps', text: 'Caps' },
    ]);
  });

  it('uses the URL as text for an image link', () => {
    expect(extractLinks('<a href="https://x.example/a"><img src="x.png"></a>')).toEqual([{ href: 'https://x.example/a', text: 'https://x.example/a' }]);
  });

  it('finds URLs in a text part', () => {
    expect(extractTextLinks('Read: https://a.example/p?x=1.\nUnsubscribe (https://a.example/u)\nagain https://a.example/p?x=1.')).toEqual([
      { href: 'https://a.example/p?x=1', text: 'https://a.example/p?x=1' },
      { href: 'https://a.example/u', text: 'https://a.example/u' },
    ]);
  });

  it('decodes numeric and named entities and leaves unknown ones', () => {
    expect(decodeEntities('&#x41;&#66;&lt;&gt;&quot;&apos;&amp;&bogus;')).toBe(`AB<>"'&&bogus;`);
  });
});

describe('messageView', () => {
  it('shows the headers, both parts and the links of a built message', async () => {
    const messageId = makeMessageId('blog.example.com');
    const raw = buildMessage({
      from: { email: 'news@blog.example.com', name: 'Plain Words' },
      to: { email: 'reader@example.org', name: 'Ré Ader' },
      subject: 'Confirm your subscription ✓',
      text: 'Confirm: http://localhost:4321/verify?token=abc\n',
      html: '<p><a href="http://localhost:4321/verify?token=abc&amp;s=1">Confirm</a></p>',
      messageId,
      date: new Date('2026-11-25T05:00:00Z'),
      listUnsubscribeUrl: 'http://localhost:4321/api/unsubscribe/one-click?token=u',
      listId: 'verification.localhost',
    });
    const view = await messageView(raw);
    expect(view.subject).toBe('Confirm your subscription ✓');
    expect(view.from).toBe('Plain Words <news@blog.example.com>');
    expect(view.to).toBe('Ré Ader <reader@example.org>');
    expect(view.messageId).toBe(messageId);
    expect(view.links).toEqual([{ href: 'http://localhost:4321/verify?token=abc&s=1', text: 'Confirm' }]);
    expect(view.text).toContain('http://localhost:4321/verify?token=abc');
    expect(view.headers.map((h) => h.name)).toEqual(
      expect.arrayContaining(['List-Unsubscribe', 'List-Unsubscribe-Post', 'List-Id', 'Message-ID', 'Date', 'MIME-Version']),
    );
  });
});

describe('HTML part policy', () => {
  it('allows no scripts, forms or framing by others, and sandboxes the document', () => {
    expect(HTML_PART_CSP).toContain("default-src 'none'");
    expect(HTML_PART_CSP).not.toMatch(/script-src/);
    expect(HTML_PART_CSP).toContain("form-action 'none'");
    expect(HTML_PART_CSP).toContain("frame-ancestors 'self'");
    expect(HTML_PART_CSP).toMatch(/sandbox(?![^;]*allow-scripts)(?![^;]*allow-same-origin)/);
  });

  it('names downloads safely', () => {
    expect(emlFileName('abc_DEF-1')).toBe('abc_DEF-1.eml');
    expect(emlFileName('../"x\r\n')).toBe('x.eml');
  });
});
