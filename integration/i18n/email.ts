/**
 * The email's words in the reader's language: the `t_…` template variables (their names are
 * listed in db/content/template-variables.ts, each mapped to its catalog key here) and `lang`/`dir`.
 * Sentences are filled with the reader's values here; Mustache escapes them in the HTML part.
 */
import type { I18N_VARIABLES } from '../../db/content/template-variables';
import { supportedLocale, translator, type MessageKey, type MessageOverrides, type Translate } from './index';

type Variable = Exclude<(typeof I18N_VARIABLES)[number], 'lang' | 'dir'>;

const KEYS: Record<Variable, MessageKey> = {
  t_footer_why: 'email.footer.why',
  t_footer_preferences: 'email.footer.preferences',
  t_footer_unsubscribe: 'email.footer.unsubscribe',
  t_footer_never: 'email.footer.never',
  t_verify_subject: 'email.verify.subject',
  t_verify_preheader: 'email.verify.preheader',
  t_verify_heading: 'email.verify.heading',
  t_verify_intro: 'email.verify.intro',
  t_verify_chose: 'email.verify.chose',
  t_verify_button: 'email.verify.button',
  t_verify_here: 'email.verify.here',
  t_verify_ignore: 'email.verify.ignore',
  t_digest_subject: 'email.digest.subject',
  t_welcome_subject: 'email.welcome.subject',
  t_welcome_heading: 'email.welcome.heading',
  t_welcome_intro: 'email.welcome.intro',
  t_welcome_manage: 'email.welcome.manage',
  t_welcome_here: 'email.welcome.here',
  t_sign_in_subject: 'email.signIn.subject',
  t_sign_in_intro: 'email.signIn.intro',
  t_sign_in_button: 'email.signIn.button',
  t_sign_in_ignore: 'email.signIn.ignore',
  t_password_subject: 'email.password.subject',
  t_password_intro: 'email.password.intro',
  t_password_button: 'email.password.button',
  t_password_ignore: 'email.password.ignore',
};

/** The values sentences may use: the site, the reader's address, what they subscribed to… */
export type EmailValues = { site: string; email: string; what?: string; summary?: string; title?: string; count?: number };

export function emailWords(t: Translate, values: EmailValues): Record<string, string> {
  const params = { what: '', summary: '', title: '', count: 0, ...values };
  const words: Record<string, string> = { lang: t.locale, dir: t.dir };
  for (const [name, key] of Object.entries(KEYS)) words[name] = t(key, params);
  return words;
}

export type EmailLocaleSettings = { defaultLocale: string; locales: readonly string[]; messages: MessageOverrides };

/** The reader's translator for an email: their stored language if the site serves it, else the default. */
export function emailTranslator(settings: EmailLocaleSettings | undefined, readerLocale: string | null | undefined): Translate {
  if (!settings) return translator('en');
  return translator(supportedLocale(readerLocale, settings) ?? settings.defaultLocale, settings.messages);
}
