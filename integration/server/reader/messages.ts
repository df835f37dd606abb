/**
 * The reader's language for messages made below the handlers in English (the form reader, the
 * bot check): mapped to their catalog keys here, so those modules stay language-free.
 */
import type { Translate } from '../../i18n';
import { BOT_MESSAGES } from '../bot-check';

/** A `readForm` refusal in the reader's language, by its status (integration/server/forms.ts). */
export function formRefusal(body: { status: number; reason: string }, t: Translate): string {
  if (body.status === 415) return t('error.formType');
  if (body.status === 413) return t('error.formTooLarge');
  return /UTF-8/.test(body.reason) ? t('error.bodyNotUtf8') : t('error.formUnreadable');
}

/** A failed bot check's message in the reader's language. */
export function botRefusal(message: string, t: Translate): string {
  const key = (Object.keys(BOT_MESSAGES) as (keyof typeof BOT_MESSAGES)[]).find((k) => BOT_MESSAGES[k] === message);
  return key ? t(`bot.${key}`) : message;
}
