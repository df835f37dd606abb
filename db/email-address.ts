/**
 * The one rule for an email address, shared by every entry point (forms, JSON, createUser,
 * a later import) and by the MIME builder (integration/delivery/mime.ts): an address is accepted
 * exactly when the mailer can put it in a To header unchanged.
 */

export const MAX_EMAIL_LENGTH = 254; // RFC 5321 §4.5.3.1.3 path limit
export const MAX_LOCAL_PART_LENGTH = 64; // RFC 5321 §4.5.3.1.1

/**
 * Trimmed, Unicode NFC, then lower-cased: the NFC and NFD spellings of one address are one
 * reader. NFC runs first because lower-casing a decomposed string can leave it decomposed.
 */
export const normalizeEmail = (email: string): string => email.trim().normalize('NFC').toLowerCase().normalize('NFC');

// Characters that would start another address, a comment, a quoted string or a route in a
// header (RFC 5322 specials), plus whitespace; both sides must be non-empty, one @.
const SPECIALS = String.raw`\s<>()[\],;:"@\\`;
const ADDRESS_SHAPE = new RegExp(`^[^${SPECIALS}]+@[^${SPECIALS}.]+(\\.[^${SPECIALS}.]+)+$`, 'u');
// C0/C1 controls and DEL (NUL included), lone surrogates, and U+FFFD (what invalid UTF-8 decodes to).
const FORBIDDEN = /[\p{Cc}\p{Cs}\uFFFD]/u;
// Bidi and other invisible format characters (RTL override, zero-width joiners…) make one
// address look like another.
const INVISIBLE = /\p{Cf}/u;

/** Why an (already normalised) address cannot be used, or null when it is fine. */
export function emailAddressProblem(email: string): string | null {
  if (email.length === 0) return 'empty';
  if (FORBIDDEN.test(email) || INVISIBLE.test(email)) return 'control or invisible character';
  if (email.length > MAX_EMAIL_LENGTH) return 'too long';
  if (!ADDRESS_SHAPE.test(email)) return 'not a single plain address';
  if (email.slice(0, email.lastIndexOf('@')).length > MAX_LOCAL_PART_LENGTH) return 'local part too long';
  return null;
}

export const isValidEmailAddress = (email: string): boolean => emailAddressProblem(email) === null;
