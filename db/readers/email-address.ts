/**
 * The one rule for an email address, shared by every entry point (forms, JSON, createUser,
 * the console's CSV import, db:integrity) and by the MIME builder (integration/delivery/mime.ts):
 * an address is accepted exactly when the mailer can put it in a To header unchanged and it
 * names a mailbox on a public domain (never an IP literal, never a made-up TLD).
 */

export const MAX_EMAIL_LENGTH = 254; // RFC 5321 §4.5.3.1.3 path limit
export const MAX_LOCAL_PART_LENGTH = 64; // RFC 5321 §4.5.3.1.1
export const MAX_LABEL_LENGTH = 63; // RFC 1035 §2.3.4, measured on the ASCII (punycode) form

/**
 * Trimmed, Unicode NFC, then lower-cased: the NFC and NFD spellings of one address are one
 * reader. NFC runs first because lower-casing a decomposed string can leave it decomposed.
 */
export const normalizeEmail = (email: string): string => email.trim().normalize('NFC').toLowerCase().normalize('NFC');

// RFC 5322 specials and whitespace: they would start another address, a comment, a quoted
// string or a route in a header.
const LOCAL_FORBIDDEN = /[\s<>()[\],;:"@\\]/u;
// C0/C1 controls and DEL (NUL included), lone surrogates, private use, U+FFFD (what invalid
// UTF-8 decodes to); bidi and other format characters and every default-ignorable code point
// (zero-width joiners, variation selectors, fillers) make one address look like another.
const FORBIDDEN = /[\p{Cc}\p{Cs}\p{Co}\p{Cf}\p{Zl}\p{Zp}\uFFFD]|\p{Default_Ignorable_Code_Point}/u;
// A domain label: letters, digits and marks, hyphens inside only (no `_`, no symbols).
const LABEL = /^[\p{L}\p{N}](?:[\p{L}\p{N}\p{M}-]*[\p{L}\p{N}\p{M}])?$/u;
// A top-level domain: two or more letters (with their marks), or an IDN in punycode. Never all
// digits, so no IPv4 literal (`127.0.0.1`, `10.0.0.1`, `0x7f.1`) passes as a domain.
const TLD = /^(?:\p{L}[\p{L}\p{M}]+|xn--[a-z0-9-]*[a-z0-9])$/u;

const utf8Length = (s: string): number => new TextEncoder().encode(s).byteLength;

/** The domain's labels in their ASCII (punycode) form, or null when WHATWG URL cannot map it. */
function asciiLabels(domain: string): string[] | null {
  try {
    const host = new URL(`http://${domain}/`).hostname;
    return host.split('.');
  } catch {
    return null;
  }
}

function domainProblem(domain: string): string | null {
  const labels = domain.split('.');
  if (labels.length < 2 || labels.some((l) => l === '')) return 'not a single plain address';
  if (!labels.every((l) => LABEL.test(l))) return 'not a valid domain';
  if (!TLD.test(labels.at(-1)!)) return 'not a public domain';
  // `xn--` with nothing (or no valid punycode) after it, or a label too long once encoded.
  const ascii = asciiLabels(domain);
  if (!ascii || ascii.length !== labels.length) return 'not a valid domain';
  if (ascii.some((l) => l.length > MAX_LABEL_LENGTH || l === 'xn--' || (l.startsWith('xn--') && !/^xn--[a-z0-9-]*[a-z0-9]$/.test(l))))
    return 'not a valid domain';
  if (labels.some((l, i) => l.startsWith('xn--') && ascii[i] !== l)) return 'not a valid domain';
  // A label IDNA maps onto another spelling (fullwidth `ｅｘａｍｐｌｅ` is `example`) would make two
  // readers of one mailbox: an ASCII label must stay itself, a non-ASCII one must need punycode.
  if (labels.some((l, i) => (/^[\x00-\x7f]*$/.test(l) ? ascii[i] !== l : !ascii[i]!.startsWith('xn--')))) return 'not a valid domain';
  return null;
}

function localProblem(local: string): string | null {
  if (local === '' || LOCAL_FORBIDDEN.test(local)) return 'not a single plain address';
  // Dot-atom (RFC 5322 §3.2.3): no leading, trailing or doubled dot.
  if (local.startsWith('.') || local.endsWith('.') || local.includes('..')) return 'not a single plain address';
  // A combining mark cannot start a part: on its own it would decorate whatever precedes it.
  if (/^\p{M}/u.test(local)) return 'not a single plain address';
  if (utf8Length(local) > MAX_LOCAL_PART_LENGTH) return 'local part too long';
  return null;
}

/** Why an (already normalised) address cannot be used, or null when it is fine. */
export function emailAddressProblem(email: string): string | null {
  if (email.length === 0) return 'empty';
  if (FORBIDDEN.test(email)) return 'control or invisible character';
  if (utf8Length(email) > MAX_EMAIL_LENGTH) return 'too long';
  const at = email.indexOf('@');
  if (at === -1 || at !== email.lastIndexOf('@')) return 'not a single plain address';
  return localProblem(email.slice(0, at)) ?? domainProblem(email.slice(at + 1));
}

export const isValidEmailAddress = (email: string): boolean => emailAddressProblem(email) === null;

/** The address as stored (normalised) if the one rule accepts it, else the reason it does not. */
export function parseEmailAddress(raw: string): { ok: true; email: string } | { ok: false; reason: string } {
  const email = normalizeEmail(raw);
  const problem = emailAddressProblem(email);
  return problem ? { ok: false, reason: problem } : { ok: true, email };
}
