/**
 * Input rules for the reader routes. Each parser returns either clean values or a map of
 * field → human reason; pages show the reason next to the field, the API returns it as JSON.
 */
import { CONTENT_TYPES, EMAIL_FREQUENCIES, type ContentType, type EmailFrequency } from '../../db/schema';
import { isContentType } from '../../db/eligibility';
import { emailAddressProblem, MAX_EMAIL_LENGTH, normalizeEmail } from '../../db/email-address';
import type { FieldErrors } from './http';

export { MAX_EMAIL_LENGTH };
export const MIN_PASSWORD_LENGTH = 8;
export const MAX_PASSWORD_LENGTH = 256; // PBKDF2 hashes any length; this bounds the work per request
export const MAX_TOKEN_LENGTH = 128; // our tokens are 43 characters
const TOKEN_SHAPE = /^[A-Za-z0-9_-]+$/;

export const CONTENT_TYPE_LABELS: Record<ContentType, string> = {
  blog: 'Blog posts',
  thought: 'Thoughts',
  announcement: 'Announcements',
};
export const FREQUENCY_LABELS: Record<EmailFrequency, string> = {
  immediate: 'Right away, one email per post',
  daily: 'A daily digest',
  weekly: 'A weekly digest',
};

export function parseEmail(raw: unknown, errors: FieldErrors, field = 'email'): string {
  if (typeof raw !== 'string' || raw.trim() === '') {
    errors[field] = 'Enter your email address.';
    return '';
  }
  // The same rule the mailer applies (db/email-address.ts): what is accepted here can be sent.
  const email = normalizeEmail(raw);
  const problem = emailAddressProblem(email);
  if (problem === 'too long') errors[field] = `Use an email address of at most ${MAX_EMAIL_LENGTH} characters.`;
  else if (problem === 'control or invisible character') errors[field] = 'Remove the invisible or control characters from the email address.';
  else if (problem) errors[field] = 'Enter an email address like name@example.com (no spaces, quotes or angle brackets).';
  return email;
}

/** A list of content types; `requireOne` for subscribing (an empty choice subscribes to nothing). */
export function parseContentTypes(raw: unknown, errors: FieldErrors, { requireOne }: { requireOne: boolean }, field = 'contentTypes'): ContentType[] {
  const list = raw === undefined ? [] : Array.isArray(raw) ? raw : [raw];
  const chosen: ContentType[] = [];
  for (const item of list) {
    if (!isContentType(item)) {
      errors[field] = `Unknown content type "${String(item).slice(0, 40)}": choose from ${CONTENT_TYPES.join(', ')}.`;
      return [];
    }
    if (!chosen.includes(item)) chosen.push(item);
  }
  if (requireOne && chosen.length === 0) errors[field] = 'Choose at least one kind of email.';
  return chosen;
}

export function parseFrequency(raw: unknown, errors: FieldErrors, field = 'frequency'): EmailFrequency {
  if (raw === undefined || raw === null || raw === '') {
    errors[field] = 'Choose how often you want email.';
    return 'immediate';
  }
  if (typeof raw !== 'string' || !(EMAIL_FREQUENCIES as readonly string[]).includes(raw)) {
    errors[field] = `Unknown frequency: choose from ${EMAIL_FREQUENCIES.join(', ')}.`;
    return 'immediate';
  }
  return raw as EmailFrequency;
}

export function parseNewPassword(raw: unknown, errors: FieldErrors, field = 'password'): string {
  if (typeof raw !== 'string' || raw === '') {
    errors[field] = 'Choose a password.';
    return '';
  }
  if (raw.length < MIN_PASSWORD_LENGTH) errors[field] = `Use at least ${MIN_PASSWORD_LENGTH} characters.`;
  else if (raw.length > MAX_PASSWORD_LENGTH) errors[field] = `Use at most ${MAX_PASSWORD_LENGTH} characters.`;
  return raw;
}

/** A login password is only checked for presence and size; its rules are the register form's business. */
export function parseLoginPassword(raw: unknown, errors: FieldErrors, field = 'password'): string {
  if (typeof raw !== 'string' || raw === '') {
    errors[field] = 'Enter your password.';
    return '';
  }
  if (raw.length > MAX_PASSWORD_LENGTH) errors[field] = `Passwords here have at most ${MAX_PASSWORD_LENGTH} characters.`;
  return raw;
}

/** A token from a link: absent or malformed gives null (it then matches nothing). */
export function cleanToken(raw: unknown): string | null {
  if (typeof raw !== 'string') return null;
  const token = raw.trim();
  return token.length > 0 && token.length <= MAX_TOKEN_LENGTH && TOKEN_SHAPE.test(token) ? token : null;
}

/** Checkbox / JSON boolean: true, "on", "true", "1". */
export function parseBoolean(raw: unknown, errors: FieldErrors, field: string): boolean {
  if (raw === undefined || raw === null || raw === false || raw === 'false' || raw === '0' || raw === '') return false;
  if (raw === true || raw === 'on' || raw === 'true' || raw === '1') return true;
  errors[field] = 'Use true or false.';
  return false;
}
