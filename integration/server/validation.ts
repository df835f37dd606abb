/**
 * Input rules for the reader routes. Each parser returns either clean values or a map of
 * field → human reason; pages show the reason next to the field, the API returns it as JSON.
 */
import { CONTENT_TYPES, EMAIL_FREQUENCIES, type ContentType, type EmailFrequency } from '../../db/schema';
import { isContentType } from '../../db/delivery/eligibility';
import { emailAddressProblem, MAX_EMAIL_LENGTH, normalizeEmail } from '../../db/readers/email-address';
import type { FieldErrors } from './http';
import { translator, type Translate } from '../i18n';

const ENGLISH = translator('en');

export { MAX_EMAIL_LENGTH };
export const MIN_PASSWORD_LENGTH = 8;
export const MAX_PASSWORD_LENGTH = 256; // PBKDF2 hashes any length; this bounds the work per request
export const MAX_TOKEN_LENGTH = 128; // our tokens are 43 characters
const TOKEN_SHAPE = /^[A-Za-z0-9_-]+$/;

/** The labels of the choices in the reader's language. */
export const contentTypeLabel = (type: ContentType, t: Translate = ENGLISH): string => t(`type.${type}`);
export const frequencyLabel = (frequency: EmailFrequency, t: Translate = ENGLISH): string => t(`frequency.${frequency}`);

export function parseEmail(raw: unknown, errors: FieldErrors, field = 'email', t: Translate = ENGLISH): string {
  if (typeof raw !== 'string' || raw.trim() === '') {
    errors[field] = t('error.emailMissing');
    return '';
  }
  // The same rule the mailer applies (db/readers/email-address.ts): what is accepted here can be sent.
  const email = normalizeEmail(raw);
  const problem = emailAddressProblem(email);
  if (problem === 'too long') errors[field] = t('error.emailTooLong', { max: MAX_EMAIL_LENGTH });
  else if (problem === 'control or invisible character') errors[field] = t('error.emailControl');
  else if (problem) errors[field] = t('error.emailInvalid');
  return email;
}

/** A list of content types; `requireOne` for subscribing (an empty choice subscribes to nothing). */
export function parseContentTypes(
  raw: unknown,
  errors: FieldErrors,
  { requireOne }: { requireOne: boolean },
  field = 'contentTypes',
  t: Translate = ENGLISH,
): ContentType[] {
  const list = raw === undefined ? [] : Array.isArray(raw) ? raw : [raw];
  const chosen: ContentType[] = [];
  for (const item of list) {
    if (!isContentType(item)) {
      errors[field] = t('error.typeUnknown', { value: String(item).slice(0, 40), choices: CONTENT_TYPES.join(', ') });
      return [];
    }
    if (!chosen.includes(item)) chosen.push(item);
  }
  if (requireOne && chosen.length === 0) errors[field] = t('error.typesNone');
  return chosen;
}

export function parseFrequency(raw: unknown, errors: FieldErrors, field = 'frequency', t: Translate = ENGLISH): EmailFrequency {
  if (raw === undefined || raw === null || raw === '') {
    errors[field] = t('error.frequencyMissing');
    return 'immediate';
  }
  if (typeof raw !== 'string' || !(EMAIL_FREQUENCIES as readonly string[]).includes(raw)) {
    errors[field] = t('error.frequencyUnknown', { choices: EMAIL_FREQUENCIES.join(', ') });
    return 'immediate';
  }
  return raw as EmailFrequency;
}

export function parseNewPassword(raw: unknown, errors: FieldErrors, field = 'password', t: Translate = ENGLISH): string {
  if (typeof raw !== 'string' || raw === '') {
    errors[field] = t('error.passwordMissing');
    return '';
  }
  if (raw.length < MIN_PASSWORD_LENGTH) errors[field] = t('error.passwordShort', { min: MIN_PASSWORD_LENGTH });
  else if (raw.length > MAX_PASSWORD_LENGTH) errors[field] = t('error.passwordLong', { max: MAX_PASSWORD_LENGTH });
  return raw;
}

/** A login password is only checked for presence and size; its rules are the register form's business. */
export function parseLoginPassword(raw: unknown, errors: FieldErrors, field = 'password', t: Translate = ENGLISH): string {
  if (typeof raw !== 'string' || raw === '') {
    errors[field] = t('error.loginPasswordMissing');
    return '';
  }
  if (raw.length > MAX_PASSWORD_LENGTH) errors[field] = t('error.loginPasswordLong', { max: MAX_PASSWORD_LENGTH });
  return raw;
}

/** A token from a link: absent or malformed gives null (it then matches nothing). */
export function cleanToken(raw: unknown): string | null {
  if (typeof raw !== 'string') return null;
  const token = raw.trim();
  return token.length > 0 && token.length <= MAX_TOKEN_LENGTH && TOKEN_SHAPE.test(token) ? token : null;
}

/** Checkbox / JSON boolean: true, "on", "true", "1". */
export function parseBoolean(raw: unknown, errors: FieldErrors, field: string, t: Translate = ENGLISH): boolean {
  if (raw === undefined || raw === null || raw === false || raw === 'false' || raw === '0' || raw === '') return false;
  if (raw === true || raw === 'on' || raw === 'true' || raw === '1') return true;
  errors[field] = t('error.boolean');
  return false;
}
