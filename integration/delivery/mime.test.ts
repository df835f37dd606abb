import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { expectMessageMatches, parseMime } from '../../test/helpers/mime-assert';
import { buildMessage, encodeWords, formatDate, HeaderInjectionError, makeMessageId, quotedPrintable, sharedBody, type MessageInput } from './mime';

const base = (over: Partial<MessageInput> = {}): MessageInput => ({
  from: { email: 'author@example.com', name: 'The Example Blog' },
  to: { email: 'reader@example.org', name: 'Ada Reader' },
  subject: 'A new post: Hello world',
  text: 'Hello Ada,\n\nA new post is up: https://blog.example.com/blog/hello\n\nUnsubscribe: https://blog.example.com/u/abc\n',
  html: '<!doctype html><html><body><p>Hello Ada,</p><p><a href="https://blog.example.com/blog/hello">Read it</a></p></body></html>',
  messageId: makeMessageId('blog.example.com'),
  date: new Date('2026-11-25T04:38:32Z'),
  listUnsubscribeUrl: 'https://blog.example.com/api/unsubscribe/one-click?token=abc123',
  listId: 'blog.blog.example.com',
  ...over,
});

async function roundTrip(input: MessageInput) {
  const raw = buildMessage(input);
  const email = await parseMime(raw);
  expectMessageMatches(email, raw, input);
  return { raw, email };
}

describe('buildMessage', () => {
  it('writes every header and both parts, parseable by postal-mime', async () => {
    const { raw } = await roundTrip(base());
    expect(raw).toContain('\r\nDate: Wed, 25 Nov 2026 04:38:32 +0000\r\n');
    expect(raw).toContain('\r\nList-Unsubscribe: <https://blog.example.com/api/unsubscribe/one-click?token=abc123>\r\n');
    expect(raw).toContain('\r\nList-Unsubscribe-Post: List-Unsubscribe=One-Click\r\n');
    expect(raw).toContain('\r\nList-Id: <blog.blog.example.com>\r\n');
    expect(raw).toMatch(/^From: The Example Blog <author@example\.com>\r\n/);
  });

  it('RFC 2047-encodes non-ASCII subjects and display names', async () => {
    const { raw } = await roundTrip(
      base({
        subject: 'Nouveau billet : « Été à Zürich » — 日本語のタイトル 🎉',
        from: { email: 'author@example.com', name: 'Björn Ångström' },
        to: { email: 'reader@example.org', name: '山田 太郎' },
      }),
    );
    expect(raw).toMatch(/\r\nSubject: =\?UTF-8\?B\?/);
    expect(raw).not.toMatch(/[^\x00-\x7f]/); // the whole message is 7-bit
  });

  it('folds a long subject into encoded-words of at most 75 characters', async () => {
    const subject = 'Ünïcödé '.repeat(30).trim();
    const { raw } = await roundTrip(base({ subject }));
    const words = raw.match(/=\?UTF-8\?B\?[^?]*\?=/g) ?? [];
    expect(words.length).toBeGreaterThan(3);
    for (const w of words) expect(w.length).toBeLessThanOrEqual(75);
    const subjectLines = raw
      .match(/\r\nSubject: [^\r]*(\r\n [^\r]*)*/)![0]
      .split('\r\n')
      .slice(1);
    expect(subjectLines.length).toBeGreaterThan(3);
    for (const line of subjectLines) expect(line.length).toBeLessThanOrEqual(78);
  });

  it('folds a long ASCII subject at spaces and keeps it intact', async () => {
    const subject = 'word '.repeat(60).trim();
    const { raw } = await roundTrip(base({ subject }));
    const lines = raw
      .match(/\r\nSubject: [^\r]*(\r\n [^\r]*)*/)![0]
      .split('\r\n')
      .slice(1);
    expect(lines.length).toBeGreaterThan(3); // 299 characters cannot fit one 78-character line
    for (const line of lines) expect(line.length).toBeLessThanOrEqual(78);
    // Folded at spaces: plain words (no encoded-words), each line break is CRLF + the space it replaced.
    expect(lines[0]).toMatch(/^Subject: word( word)*$/);
    for (const line of lines.slice(1)) expect(line).toMatch(/^ word( word)*$/);
    expect(lines.join('')).toBe(`Subject: ${subject}`);
  });

  it('encodes a subject with a word too long to fold, instead of exceeding 998 characters', async () => {
    const { raw } = await roundTrip(base({ subject: `See https://blog.example.com/${'a'.repeat(1200)}` }));
    const headerBlock = raw.slice(0, raw.indexOf('\r\n\r\n'));
    const subjectLines = headerBlock.match(/Subject: [^\r]*(\r\n [^\r]*)*/)![0].split('\r\n');
    for (const line of subjectLines) expect(line.length).toBeLessThanOrEqual(78);
  });

  it('quotes display names with specials and keeps plain ASCII readable', async () => {
    const { raw } = await roundTrip(base({ from: { email: 'a@example.com', name: 'Smith, John "JJ"' } }));
    expect(raw).toContain('From: "Smith, John \\"JJ\\"" <a@example.com>');
  });

  it('keeps inner runs of spaces and drops surrounding whitespace of the subject', async () => {
    const { email } = await roundTrip(base({ subject: '  two  spaces   here ', from: { email: 'a@example.com', name: 'Ann  Lee' } }));
    expect(email.subject).toBe('two  spaces   here');
    expect(email.from).toEqual({ name: 'Ann  Lee', address: 'a@example.com' });
  });

  it('encodes ASCII text that looks like an encoded-word instead of passing it through', async () => {
    await roundTrip(base({ subject: 'literally =?UTF-8?B?SGk=?= here' }));
  });

  it('keeps bodies intact: long lines, trailing spaces, "=" signs, leading dots, emoji', async () => {
    const text = `${'x'.repeat(300)}\n trailing   \n. a leading dot\n=3D is not decoded twice\nemoji 🎉 and ü\n`;
    const html = `<p style="color:red">${'é'.repeat(200)}</p>\r\n<p>a&amp;b</p>`;
    const { raw } = await roundTrip(base({ text, html }));
    const body = raw.slice(raw.indexOf('\r\n\r\n') + 4);
    for (const line of body.split('\r\n')) expect(line.length).toBeLessThanOrEqual(76);
  });

  it("splices a shared body between a reader's text: it decodes to the concatenation, lines stay within 76", async () => {
    const body = `${'x'.repeat(300)}\n trailing   \n. a leading dot\n=3D stays\nemoji 🎉 and ü ${'é'.repeat(80)}`;
    const shared = sharedBody(body);
    expect(sharedBody(body)).toBe(shared); // encoded once
    const cases: [string, string][] = [
      ['<p>Hi Ada</p>\n', '\n<p>bye</p>'],
      [`${'y'.repeat(75)}`, `${'z'.repeat(75)} `], // full lines on both sides of the soft breaks
      ['ends in a space ', '. starts with a dot'],
      ['', ''],
    ];
    for (const [before, after] of cases) {
      const { raw } = await roundTrip(base({ html: { before, shared, after }, text: { before: after, shared, after: before } }));
      const parts = raw.slice(raw.indexOf('\r\n\r\n') + 4);
      for (const line of parts.split('\r\n')) expect(line.length).toBeLessThanOrEqual(76);
    }
  });

  it('property: a spliced part decodes exactly as the same text built whole', async () => {
    const text = fc.string({ unit: 'grapheme', maxLength: 200 }).map((s) => s.replace(/\r/g, ''));
    await fc.assert(
      fc.asyncProperty(text, text, text, async (before, body, after) => {
        const spliced = await parseMime(buildMessage(base({ html: { before, shared: sharedBody(body), after } })));
        const whole = await parseMime(buildMessage(base({ html: before + body + after })));
        expect(spliced.html).toBe(whole.html);
      }),
      { numRuns: 300 },
    );
  });

  it('accepts the Message-ID with or without angle brackets', async () => {
    const bare = await roundTrip(base({ messageId: 'abc@blog.example.com' }));
    expect(bare.email.messageId).toBe('<abc@blog.example.com>');
    const bracketed = await roundTrip(base({ messageId: '<abc@blog.example.com>' }));
    expect(bracketed.email.messageId).toBe('<abc@blog.example.com>');
  });

  it('adds extra headers, encoding non-ASCII values', async () => {
    const { email } = await roundTrip(base({ headers: { 'X-Entity-Ref-ID': 'n_123', 'X-Note': 'café' } }));
    expect(email.headers.find((h) => h.key === 'x-entity-ref-id')?.value).toBe('n_123');
    expect(email.headers.find((h) => h.key === 'x-note')?.value).toMatch(/^=\?UTF-8\?B\?/);
  });

  it('allows http one-click URLs only on localhost', () => {
    expect(() => buildMessage(base({ listUnsubscribeUrl: 'http://localhost:4321/u?t=1' }))).not.toThrow();
    expect(() => buildMessage(base({ listUnsubscribeUrl: 'http://blog.example.com/u?t=1' }))).toThrow(/https/);
    expect(() => buildMessage(base({ listUnsubscribeUrl: 'not a url' }))).toThrow();
  });

  it('uses a fresh boundary that never appears in the encoded parts', () => {
    const a = buildMessage(base());
    const b = buildMessage(base());
    const boundary = (raw: string) => raw.match(/boundary="([^"]+)"/)![1];
    expect(boundary(a)).not.toBe(boundary(b));
    expect(a.split(`--${boundary(a)}`).length).toBe(4); // preamble, text, html, closing
  });
});

describe('header injection is refused, never passed through', () => {
  const cases: Array<[string, Partial<MessageInput>]> = [
    ['subject LF', { subject: 'Hi\nBcc: victim@example.com' }],
    ['subject CR', { subject: 'Hi\rBcc: victim@example.com' }],
    ['subject CRLF', { subject: 'Hi\r\nBcc: victim@example.com' }],
    ['from name', { from: { email: 'a@example.com', name: 'A\r\nBcc: x@example.com' } }],
    ['to name', { to: { email: 'r@example.org', name: 'R\nX: y' } }],
    ['to address', { to: { email: 'r@example.org\r\nBcc: x@example.com' } }],
    ['to address with a second recipient', { to: { email: 'r@example.org, x@example.com' } }],
    ['to address with brackets', { to: { email: 'r@example.org> <x@example.com' } }],
    ['from address', { from: { email: 'a@example.com\n' } }],
    ['message id', { messageId: '<a@b>\r\nBcc: x@example.com' }],
    ['list id', { listId: 'blog.example.com\nX: y' }],
    ['unsubscribe url', { listUnsubscribeUrl: 'https://blog.example.com/u?t=1\r\nBcc: x@example.com' }],
    ['extra header value', { headers: { 'X-A': 'v\r\nBcc: x@example.com' } }],
    ['extra header name', { headers: { 'X-A\r\nBcc': 'v' } }],
    ['extra header name with a colon', { headers: { 'Bcc: x@example.com\r\nX': 'v' } }],
    ['NUL in subject', { subject: 'a\u0000b' }],
  ];
  it.each(cases)('%s', (_label, over) => {
    expect(() => buildMessage(base(over))).toThrow(HeaderInjectionError);
  });

  it('refuses extra headers that would override the built ones', () => {
    expect(() => buildMessage(base({ headers: { bcc: 'x@example.com' } }))).toThrow(HeaderInjectionError);
    expect(() => buildMessage(base({ headers: { 'List-Unsubscribe': '<https://evil.example>' } }))).toThrow(HeaderInjectionError);
  });

  it('property: any subject or name with CR or LF throws; any other text round-trips', async () => {
    await fc.assert(
      fc.asyncProperty(fc.string({ unit: 'grapheme', maxLength: 120 }), fc.string({ unit: 'grapheme', maxLength: 40 }), async (subject, name) => {
        const input = base({ subject, from: { email: 'a@example.com', name } });
        const bad = /[\r\n\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f]/.test(subject + name);
        if (bad) {
          expect(() => buildMessage(input)).toThrow(HeaderInjectionError);
          return;
        }
        const raw = buildMessage(input);
        const email = await parseMime(raw);
        expect(email.subject ?? '').toBe(subject.trim());
        expect(email.from).toEqual({ name: name.trim(), address: 'a@example.com' });
      }),
      { numRuns: 2000 },
    );
  });
});

describe('encodings', () => {
  it('quoted-printable lines stay within 76 characters and never split an escape', () => {
    const out = quotedPrintable('ü'.repeat(100));
    for (const line of out.split('\r\n')) {
      expect(line.length).toBeLessThanOrEqual(76);
      expect(line).toMatch(/^(=[0-9A-F]{2})*=?$/);
    }
  });

  it('encoded-words never split a UTF-8 character', () => {
    const words = encodeWords('🎉'.repeat(40));
    for (const w of words) {
      const b64 = w.slice('=?UTF-8?B?'.length, -2);
      expect(new TextDecoder('utf-8', { fatal: true }).decode(Uint8Array.from(atob(b64), (c) => c.charCodeAt(0)))).toMatch(/^(🎉)+$/);
    }
  });

  it('formats RFC 5322 dates in UTC and rejects invalid dates', () => {
    expect(formatDate(new Date(Date.UTC(2027, 0, 3, 9, 5, 7)))).toBe('Sun, 03 Jan 2027 09:05:07 +0000');
    expect(() => formatDate(new Date('nope'))).toThrow();
  });

  it('makes unique Message-IDs with angle brackets and refuses a bad domain', () => {
    const a = makeMessageId('blog.example.com');
    expect(a).toMatch(/^<[0-9a-f]{32}@blog\.example\.com>$/);
    expect(makeMessageId('blog.example.com')).not.toBe(a);
    expect(() => makeMessageId('example.com>\r\nBcc: x')).toThrow(HeaderInjectionError);
  });
});
