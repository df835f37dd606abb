import { describe, expect, it } from 'vitest';
import { around, CATALOGS, directionOf, en, MESSAGE_KEYS, placeholdersOf, supportedLocale, tooManyText, translator } from '../integration/i18n';

const sorted = (list: string[]) => [...new Set(list)].sort();

describe('the shipped catalogs', () => {
  it('ships English and at least German, French and Spanish', () => {
    expect(Object.keys(CATALOGS)).toEqual(expect.arrayContaining(['en', 'de', 'fr', 'es']));
  });

  for (const [lang, catalog] of Object.entries(CATALOGS)) {
    it(`${lang}: every key of the English catalog, and no other`, () => {
      expect(sorted(Object.keys(catalog))).toEqual(sorted(MESSAGE_KEYS));
    });

    it(`${lang}: each string uses exactly the placeholders of its English string`, () => {
      const wrong = MESSAGE_KEYS.filter((key) => sorted(placeholdersOf(catalog[key])).join() !== sorted(placeholdersOf(en[key])).join());
      expect(wrong).toEqual([]);
    });

    it(`${lang}: no string is empty`, () => {
      expect(MESSAGE_KEYS.filter((key) => catalog[key].trim() === '')).toEqual([]);
    });
  }

  it('the translations are translations: most strings differ from English', () => {
    for (const lang of ['de', 'fr', 'es']) {
      const same = MESSAGE_KEYS.filter((key) => CATALOGS[lang]![key] === en[key]);
      expect(same.length, `${lang} keeps ${same.join(', ')}`).toBeLessThan(MESSAGE_KEYS.length / 20);
    }
  });
});

describe('translator', () => {
  it('fills placeholders, numbers through Intl', () => {
    expect(translator('de')('errors.many', { count: 1234 })).toBe('Es gibt 1.234 Probleme');
    expect(translator('en')('errors.many', { count: 1234 })).toBe('There are 1,234 problems');
  });

  it('a regional tag falls back to its language, an unknown language to English', () => {
    expect(translator('fr-CA')('subscribe.title')).toBe(CATALOGS.fr!['subscribe.title']);
    expect(translator('ja')('subscribe.title')).toBe(en['subscribe.title']);
  });

  it('the host overrides any string, for a tag or its language', () => {
    const t = translator('de-CH', { de: { 'subscribe.title': 'Abonnieren!' }, 'de-CH': { 'form.email': 'E-Mail' } });
    expect(t('subscribe.title')).toBe('Abonnieren!');
    expect(t('form.email')).toBe('E-Mail');
    expect(t('form.frequencyLegend')).toBe(CATALOGS.de!['form.frequencyLegend']);
  });

  it('plural rules of the language', () => {
    expect(tooManyText(translator('en'), 60)).toBe('Too many attempts. Please try again in 1 minute.');
    expect(tooManyText(translator('fr'), 61)).toBe('Trop de tentatives. Réessayez dans 2 minutes.');
  });

  it('direction: right-to-left for Arabic and Hebrew, left-to-right otherwise', () => {
    expect(directionOf('ar')).toBe('rtl');
    expect(directionOf('he-IL')).toBe('rtl');
    expect(directionOf('de')).toBe('ltr');
    expect(translator('ar', { ar: { 'subscribe.title': 'اشترك' } }).dir).toBe('rtl');
  });

  it('splits a sentence around a placeholder', () => {
    expect(around('Or {signIn} now.', 'signIn')).toEqual(['Or ', ' now.']);
    expect(around('No link.', 'signIn')).toEqual(['No link.', '']);
  });

  it('serves only the site’s locales', () => {
    const settings = { defaultLocale: 'en', locales: ['en', 'de', 'pt-BR'] };
    expect(supportedLocale('DE', settings)).toBe('de');
    expect(supportedLocale('de-AT', settings)).toBe('de');
    expect(supportedLocale('pt', settings)).toBe('pt-BR');
    expect(supportedLocale('fr', settings)).toBeUndefined();
    expect(supportedLocale(['de'], settings)).toBeUndefined();
  });
});
