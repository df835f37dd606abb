/**
 * The MIME builder: one notification → one RFC 5322 message (multipart/alternative,
 * text then HTML, UTF-8, quoted-printable) with the RFC 8058 one-click headers.
 *
 * Why not mimetext: its Node entry joins lines with `os.EOL` (LF on Linux) and
 * imports node:os; it declares a Content-Transfer-Encoding but never encodes the
 * body (the caller must); it emits the subject as one unbounded encoded-word
 * (RFC 2047 caps a word at 75 characters) and never folds headers; and it passes
 * CR/LF in custom header values straight through. A small builder that does each
 * of these right is shorter than the workarounds. Only web APIs (TextEncoder,
 * crypto.getRandomValues) are used, so it runs the same in Node and workerd.
 */

import { emailAddressProblem } from '../../db/readers/email-address';

export type MailAddress = { email: string; name?: string };

export type MessageInput = {
  from: MailAddress;
  to: MailAddress;
  /** Surrounding whitespace is dropped (it cannot survive header unfolding). */
  subject: string;
  html: string | SplicedPart;
  text: string | SplicedPart;
  /**
   * The Message-ID, with or without angle brackets (`<id@domain>` or `id@domain`):
   * pass `makeMessageId(domain)` straight in. The header always gets the brackets.
   */
  messageId: string;
  date: Date;
  /** The RFC 8058 one-click URL (https; http only for localhost in development). */
  listUnsubscribeUrl: string;
  /** The list identifier, e.g. `blog.example.com` (brackets optional). */
  listId: string;
  /** Where replies go (the author's address), when it is not From. */
  replyTo?: MailAddress;
  /** Extra headers (e.g. `X-Entity-Ref-ID`); may not replace the ones built here. */
  headers?: Record<string, string>;
};

/** A header name or value that would change the message's structure (CR, LF, a second address…). */
export class HeaderInjectionError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'HeaderInjectionError';
  }
}

const CRLF = '\r\n';
const MAX_LINE_CHARS = 998; // RFC 5322 §2.1.1 hard limit, excluding CRLF
const FOLD_AT_CHARS = 78; // RFC 5322 §2.1.1 recommended limit
const QP_LINE_CHARS = 76; // RFC 2045 §6.7 (5)
// 39 bytes → 52 base64 chars + "=?UTF-8?B??=" = 64 chars: within RFC 2047's 75, and
// "Subject: " + one word still fits a 78-char line.
const ENCODED_WORD_MAX_BYTES = 39;

const RESERVED_HEADERS = new Set([
  'from',
  'to',
  'cc',
  'bcc',
  'subject',
  'date',
  'message-id',
  'mime-version',
  'content-type',
  'content-transfer-encoding',
  'list-unsubscribe',
  'list-unsubscribe-post',
  'list-id',
  'reply-to',
]);

const encoder = new TextEncoder();

// ---------------------------------------------------------------- validation

function refuseLineBreaks(what: string, value: string): void {
  if (/[\r\n]/.test(value)) throw new HeaderInjectionError(`${what} contains CR or LF`);
  // NUL and other C0 controls (except tab) have no place in a header either.
  if (/[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f]/.test(value)) {
    throw new HeaderInjectionError(`${what} contains a control character`);
  }
}

/**
 * A bare addr-spec by the same rule the reader forms use (db/readers/email-address.ts), so every
 * address that can be stored can be sent and nothing else can.
 */
function checkAddress(what: string, email: string): void {
  refuseLineBreaks(what, email);
  const problem = emailAddressProblem(email);
  if (problem) throw new HeaderInjectionError(`${what} is ${problem === 'not a single plain address' ? problem : `refused (${problem})`}`);
}

function bracketed(what: string, value: string): string {
  refuseLineBreaks(what, value);
  const inner = value.startsWith('<') && value.endsWith('>') ? value.slice(1, -1) : value;
  if (inner === '' || /[\s<>]/.test(inner)) throw new HeaderInjectionError(`${what} is malformed`);
  return `<${inner}>`;
}

function checkUnsubscribeUrl(url: string): string {
  refuseLineBreaks('List-Unsubscribe URL', url);
  if (/[\s<>]/.test(url)) throw new HeaderInjectionError('List-Unsubscribe URL contains spaces or angle brackets');
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new Error('List-Unsubscribe URL is not a URL');
  }
  const local = ['localhost', '127.0.0.1', '[::1]'].includes(parsed.hostname);
  if (parsed.protocol !== 'https:' && !(parsed.protocol === 'http:' && local)) {
    throw new Error('List-Unsubscribe URL must be https (RFC 8058)');
  }
  return url;
}

// ---------------------------------------------------------------- encodings

const isPrintableAscii = (s: string) => /^[\x20-\x7e]*$/.test(s);

function base64(bytes: Uint8Array): string {
  let binary = '';
  for (const b of bytes) binary += String.fromCharCode(b);
  return btoa(binary);
}

/** RFC 2047 B encoded-words, each ≤ 75 chars, never splitting a UTF-8 character. */
export function encodeWords(value: string): string[] {
  const words: string[] = [];
  let chunk = '';
  let chunkBytes = 0;
  for (const char of value) {
    const size = encoder.encode(char).length;
    if (chunkBytes + size > ENCODED_WORD_MAX_BYTES) {
      words.push(chunk);
      chunk = '';
      chunkBytes = 0;
    }
    chunk += char;
    chunkBytes += size;
  }
  if (chunk !== '' || words.length === 0) words.push(chunk);
  return words.map((w) => `=?UTF-8?B?${base64(encoder.encode(w))}?=`);
}

/**
 * Header values are lists of tokens joined by one space; the builder may fold at
 * any of those spaces (CRLF + the space), which unfolds back to the same text.
 */
type Tokens = string[];

/** Unstructured text (Subject, extra headers): raw when plain ASCII, else encoded-words. */
function unstructured(value: string): Tokens {
  // Text that looks like an encoded-word would be decoded by readers: encode it instead.
  const words = value.split(' ');
  // A word too long to fold (a pasted URL) is encoded instead: encoded-words can be split.
  const foldable = words.every((w) => w.length <= FOLD_AT_CHARS - 'Subject: '.length);
  if (isPrintableAscii(value) && !value.includes('=?') && foldable) return words;
  return encodeWords(value); // whitespace between adjacent encoded-words is ignored when decoding
}

/** A display name as a phrase: atoms as-is, other ASCII quoted, non-ASCII encoded. */
function phrase(name: string): Tokens {
  const plain = !name.includes('=?');
  if (plain && /^[A-Za-z0-9!#$%&'*+\-/=?^_`{|}~ ]+$/.test(name)) return name.split(' ');
  if (plain && isPrintableAscii(name)) return [`"${name.replace(/(["\\])/g, '\\$1')}"`];
  return encodeWords(name);
}

function mailbox(what: string, address: MailAddress): Tokens {
  checkAddress(`${what} address`, address.email);
  const name = address.name ?? '';
  refuseLineBreaks(`${what} name`, name);
  if (name.trim() === '') return [address.email];
  return [...phrase(name.trim()), `<${address.email}>`];
}

/** One header, folded so lines stay ≤ 78 chars where tokens allow (a long URL cannot fold), ≤ 998 always. */
function header(name: string, tokens: Tokens): string {
  const lines: string[] = [];
  let line = `${name}: ${tokens[0] ?? ''}`;
  for (const token of tokens.slice(1)) {
    if (token !== '' && line.trim().length > 0 && line.length + 1 + token.length > FOLD_AT_CHARS) {
      lines.push(line);
      line = ` ${token}`;
    } else {
      line += ` ${token}`;
    }
  }
  lines.push(line);
  if (lines.some((l) => l.length > MAX_LINE_CHARS)) throw new Error(`${name} header is longer than 998 characters`);
  return lines.join(CRLF);
}

/** RFC 2045 §6.7 quoted-printable of the UTF-8 bytes; line breaks become CRLF. */
export function quotedPrintable(text: string): string {
  return text
    .split(/\r\n|\r|\n/)
    .map(encodeLineOnce)
    .join(CRLF);
}

/**
 * A part whose middle is the same for every reader (a post's body): `before` and `after` are this reader's (the
 * rendered template around the body), `shared` is encoded once (sharedBody) and spliced in between.
 */
export type SplicedPart = { before: string; shared: SharedBody; after: string };
export type SharedBody = { readonly text: string; readonly encoded: string };

const MAX_SHARED = 16;
const sharedBodies = new Map<string, SharedBody>();
/**
 * The body's quoted-printable, once per isolate: a run reuses the same string for every reader, and V8 keeps a
 * string's hash, so finding it again costs no pass over its 100 KB.
 */
export function sharedBody(text: string): SharedBody {
  let shared = sharedBodies.get(text);
  if (!shared) {
    if (sharedBodies.size >= MAX_SHARED) sharedBodies.clear();
    shared = { text, encoded: quotedPrintable(text) };
    sharedBodies.set(text, shared);
  }
  return shared;
}

/**
 * A soft line break (`=` CRLF, RFC 2045 §6.7 rule 5) decodes to nothing, so the reader's text, the shared
 * body and the reader's text again, each encoded on its own and joined by soft breaks, decode to their concatenation.
 */
function quotedPrintablePart(body: string | SplicedPart): string {
  if (typeof body === 'string') return quotedPrintable(body);
  return `${quotedPrintable(body.before)}=${CRLF}${body.shared.encoded}=${CRLF}${quotedPrintable(body.after)}`;
}

/**
 * A post's body is the same lines in every reader's message: a line is encoded once per isolate
 * and found again by a short fingerprint (hashing the whole line would cost about what encoding
 * it does), then confirmed with a native string comparison.
 */
const REMEMBER_FROM = 64;
const MAX_REMEMBERED = 4096;
const encodedLines = new Map<string, { line: string; encoded: string }>();
function encodeLineOnce(line: string): string {
  if (line.length < REMEMBER_FROM) return quotedPrintableLine(line);
  const key = `${line.length}|${line.slice(0, 40)}|${line.slice(-40)}`;
  const known = encodedLines.get(key);
  if (known && known.line === line) return known.encoded;
  const encoded = quotedPrintableLine(line);
  if (encodedLines.size >= MAX_REMEMBERED) encodedLines.clear();
  encodedLines.set(key, { line, encoded });
  return encoded;
}

/** `=XX` for each UTF-8 byte of one character; memoised (a post repeats the same few). */
const escapes = new Map<string, string>();
const escapeChar = (ch: string): string => {
  let escaped = escapes.get(ch);
  if (escaped === undefined) {
    escaped = Array.from(encoder.encode(ch), (b) => `=${b.toString(16).toUpperCase().padStart(2, '0')}`).join('');
    if (escapes.size < 4096) escapes.set(ch, escaped);
  }
  return escaped;
};

/**
 * One hard line: every byte outside printable ASCII, and `=`, escaped (native regex replace, so a
 * long post's body costs little per reader); a trailing space or tab escaped; a leading "." escaped
 * so no relay ever mistakes the line for SMTP's end of data; then soft breaks every ≤ 76 chars,
 * never inside an `=XX`.
 */
function quotedPrintableLine(line: string): string {
  let s = line.replace(/[^\t\x20-\x3c\x3e-\x7e]/gu, escapeChar);
  const lastChar = s.at(-1);
  if (lastChar === ' ' || lastChar === '\t') s = `${s.slice(0, -1)}${lastChar === ' ' ? '=20' : '=09'}`;
  if (s.startsWith('.')) s = `=2E${s.slice(1)}`;
  const max = QP_LINE_CHARS - 1;
  if (s.length <= max) return s;
  let out = '';
  let i = 0;
  while (s.length - i > max) {
    let end = i + max;
    if (s[end - 1] === '=') end -= 1;
    else if (s[end - 2] === '=') end -= 2;
    out += `${s.slice(i, end)}=${CRLF}`;
    i = end;
  }
  return out + s.slice(i);
}

function randomHex(bytes: number): string {
  const buf = crypto.getRandomValues(new Uint8Array(bytes));
  return Array.from(buf, (b) => b.toString(16).padStart(2, '0')).join('');
}

/** RFC 5322 date-time in UTC, e.g. `Wed, 25 Nov 2026 04:38:32 +0000`. */
export function formatDate(date: Date): string {
  if (Number.isNaN(date.getTime())) throw new Error('invalid Date');
  return date.toUTCString().replace(/GMT$/, '+0000');
}

// ---------------------------------------------------------------- public API

/** A fresh Message-ID value with angle brackets: `<32 hex chars@domain>` (128 random bits). */
export function makeMessageId(domain: string): string {
  refuseLineBreaks('Message-ID domain', domain);
  if (!/^[A-Za-z0-9.-]+$/.test(domain)) throw new HeaderInjectionError('Message-ID domain is not a host name');
  return `<${randomHex(16)}@${domain}>`;
}

/**
 * The complete message, CRLF line endings, ending with CRLF. Throws
 * HeaderInjectionError when any header name or value (addresses, names, subject,
 * ids, URL, extra headers) contains CR or LF or would add structure.
 */
export function buildMessage(input: MessageInput): string {
  refuseLineBreaks('Subject', input.subject);
  const messageId = bracketed('Message-ID', input.messageId);
  if (!/^<[^@<>\s]+@[^@<>\s]+>$/.test(messageId)) throw new HeaderInjectionError('Message-ID must be <left@right>');
  const listId = bracketed('List-Id', input.listId);
  const unsubscribe = checkUnsubscribeUrl(input.listUnsubscribeUrl);

  const extra = Object.entries(input.headers ?? {}).map(([name, value]) => {
    refuseLineBreaks('header name', name);
    if (!/^[!-9;-~]+$/.test(name)) throw new HeaderInjectionError(`header name ${JSON.stringify(name)} is invalid`);
    if (RESERVED_HEADERS.has(name.toLowerCase())) throw new HeaderInjectionError(`header ${name} may not be overridden`);
    refuseLineBreaks(`header ${name}`, value);
    return header(name, unstructured(value));
  });

  const boundary = `=_${randomHex(12)}`; // "=_" never occurs in quoted-printable or base64 output
  const headers = [
    header('From', mailbox('From', input.from)),
    header('To', mailbox('To', input.to)),
    ...(input.replyTo ? [header('Reply-To', mailbox('Reply-To', input.replyTo))] : []),
    // Readers trim a header's surrounding whitespace when unfolding it: drop it here, visibly.
    header('Subject', unstructured(input.subject.trim())),
    header('Date', [formatDate(input.date)]),
    header('Message-ID', [messageId]),
    header('MIME-Version', ['1.0']),
    header('List-Id', [listId]),
    header('List-Unsubscribe', [`<${unsubscribe}>`]),
    header('List-Unsubscribe-Post', ['List-Unsubscribe=One-Click']),
    ...extra,
    header('Content-Type', ['multipart/alternative;', `boundary="${boundary}"`]),
  ];

  // Concatenated, not joined: the encoded body is copied once, into the finished message.
  const part = (type: string, body: string | SplicedPart) =>
    `--${boundary}${CRLF}Content-Type: ${type}; charset=UTF-8${CRLF}Content-Transfer-Encoding: quoted-printable${CRLF}${CRLF}${quotedPrintablePart(body)}`;

  return [...headers, '', part('text/plain', input.text), part('text/html', input.html), `--${boundary}--`, ''].join(CRLF);
}
