/**
 * What a reader gets, in one sentence of their language: "You get blog posts and thoughts in a
 * weekly digest." or "You get no email from this blog." Read from the saved reader (the same rule
 * the processor uses, db/delivery/eligibility.ts), so the sentence is what will happen, not what the form shows.
 */
import { contentTypesOf, isReceivingMail } from '../../../db/delivery/eligibility';
import type { ContentType, EmailFrequency, User } from '../../../db/schema';
import { formatList, type MessageKey, type Translate } from '../../i18n';

export type Receiving = { contentTypes: ContentType[]; frequency: EmailFrequency } | null;

/** The types and rhythm a reader is sent, or null for nothing (unsubscribed, unconfirmed, bounced, nothing chosen). */
export function receivingOf(user: User): Receiving {
  const contentTypes = contentTypesOf(user);
  return isReceivingMail(user) && contentTypes.length > 0 ? { contentTypes, frequency: user.emailFrequency } : null;
}

const SENTENCES = {
  now: { immediate: 'preferences.getImmediate', daily: 'preferences.getDaily', weekly: 'preferences.getWeekly', none: 'preferences.getNothing' },
  still: { immediate: 'unsubscribe.stillImmediate', daily: 'unsubscribe.stillDaily', weekly: 'unsubscribe.stillWeekly', none: 'unsubscribe.stillNothing' },
} as const satisfies Record<string, Record<EmailFrequency | 'none', MessageKey>>;

/** The sentence: `now` on the preferences page, `still` after unsubscribing from one type. */
export function whatYouGet(receiving: Receiving, t: Translate, wording: keyof typeof SENTENCES = 'now'): string {
  const keys = SENTENCES[wording];
  if (!receiving) return t(keys.none);
  const types = formatList(
    receiving.contentTypes.map((type) => t(`scope.${type}`)),
    t.locale,
  );
  return t(keys[receiving.frequency], { types });
}
