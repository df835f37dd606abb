/**
 * Emails in the reader's language (issue 22): the real templates from migrations/, the real
 * processor and MIME builder, a reader stored with each shipped language.
 */
import PostalMime from 'postal-mime';
import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { users } from '../db/schema';
import { processNotifications } from '../integration/delivery/processor';
import { queueVerificationEmail } from '../integration/delivery/verification';
import { CATALOGS, translator } from '../integration/i18n';
import { choicesSummary } from '../integration/server/verification';
import { createFaultInjectionTransport } from './helpers/fault-injection';
import { createTestD1, type TestD1 } from './helpers/d1';
import { addContent, addReader, clearTables, settableClock, SITE, testConfig } from './helpers/delivery';
import { formatPublishDate } from '../integration/delivery/render';

let t: TestD1;
beforeAll(async () => {
  t = await createTestD1();
});
afterAll(async () => t?.dispose());
beforeEach(async () => clearTables(t.d1));

const T0 = '2026-11-25T10:00:00Z';
const SHIPPED = ['en', 'de', 'fr', 'es'] as const;
const config = (messages = {}, locales: readonly string[] = SHIPPED) => ({ ...testConfig(), locales: { defaultLocale: 'en', locales, messages } });

async function readerIn(locale: string | null, email = `reader-${locale ?? 'none'}@example.org`) {
  const reader = await addReader(t.db, email);
  await t.db.update(users).set({ locale }).where(eq(users.id, reader.id));
  return reader;
}

async function sendAll(cfg: ReturnType<typeof config>) {
  const transport = createFaultInjectionTransport();
  await processNotifications({ db: t.db, transport, clock: settableClock(T0).clock, config: cfg });
  return Promise.all(transport.sent.map(async (s) => ({ to: s.to, mail: await PostalMime.parse(s.raw) })));
}

describe('a post email in each shipped language', () => {
  for (const locale of SHIPPED) {
    it(`${locale}: its own subject, date, call to action and footer; lang on <html>`, async () => {
      const reader = await readerIn(locale);
      await addContent(t.db, { title: 'Hello', publishDate: '2026-11-25T09:00:00Z' });
      const [sent] = await sendAll(config());
      const tr = translator(locale);
      const catalog = CATALOGS[locale]!;
      expect(sent!.mail.subject).toBe(`${catalog['email.label.blog']}: Hello`);
      const why = tr('email.footer.why', { email: reader.email, what: catalog['email.plural.blog'], site: 'Plain Words' });
      expect(sent!.mail.text).toContain(why);
      expect(sent!.mail.text).toContain(`${catalog['email.footer.unsubscribe']}: ${SITE}/unsubscribe?token=`);
      expect(sent!.mail.text).toContain(`${catalog['email.cta.blog']}: `);
      // English keeps the site's one date format (render.ts formatPublishDate); other languages their own through Intl.
      const published = new Date('2026-11-25T09:00:00Z');
      expect(sent!.mail.text).toContain(
        locale === 'en' ? formatPublishDate(published) : new Intl.DateTimeFormat(locale, { dateStyle: 'long', timeZone: 'UTC' }).format(published),
      );
      expect(sent!.mail.html).toContain(`<html lang="${locale}" dir="ltr">`);
      expect(sent!.mail.html).toContain(`>${catalog['email.footer.preferences']}</a>`);
    });
  }

  it('two readers of one post, each in their own language', async () => {
    await readerIn('de', 'anna@example.org');
    await readerIn('fr', 'luc@example.org');
    await addContent(t.db, { title: 'Hello', publishDate: '2026-11-25T09:00:00Z' });
    const sent = await sendAll(config());
    const subjectOf = (to: string) => sent.find((s) => s.to === to)!.mail.subject;
    expect(subjectOf('anna@example.org')).toBe('Neuer Beitrag: Hello');
    expect(subjectOf('luc@example.org')).toBe('Nouvel article: Hello');
  });

  it('a language the site does not serve (or none stored) falls back to the default', async () => {
    await readerIn('ja', 'ja@example.org');
    await readerIn(null, 'none@example.org');
    await addContent(t.db, { title: 'Hello', publishDate: '2026-11-25T09:00:00Z' });
    const sent = await sendAll(config({}, ['en', 'de']));
    expect(sent.map((s) => s.mail.subject)).toEqual(['New post: Hello', 'New post: Hello']);
  });
});

describe('the confirmation email in each shipped language', () => {
  for (const locale of SHIPPED) {
    it(`${locale}: subject, body, summary and footer in ${locale}`, async () => {
      const reader = await readerIn(locale, `confirm-${locale}@example.org`);
      const tr = translator(locale);
      const summary = choicesSummary({ contentTypes: ['blog', 'thought'], frequency: 'weekly' }, tr);
      await queueVerificationEmail(t.db, { userId: reader.id, email: reader.email, verifyUrl: `${SITE}/verify?token=abc`, summary, now: new Date(T0) });
      const [sent] = await sendAll(config());
      expect(sent!.mail.subject).toBe(tr('email.verify.subject', { site: 'Plain Words' }));
      expect(sent!.mail.text).toContain(tr('email.verify.chose', { summary }));
      expect(sent!.mail.text).toContain(`${tr('email.footer.never')}: ${SITE}/unsubscribe?token=`);
      expect(sent!.mail.html).toContain(`>${tr('email.verify.button')}</a>`);
      expect(summary).toContain(tr('type.thought'));
    });
  }
});

describe('right to left', () => {
  it('a host language written right to left gets dir="rtl" and the host’s own words', async () => {
    await readerIn('ar', 'ar@example.org');
    await addContent(t.db, { title: 'Hello', publishDate: '2026-11-25T09:00:00Z' });
    const [sent] = await sendAll(config({ ar: { 'email.label.blog': 'مقال جديد', 'email.footer.unsubscribe': 'إلغاء الاشتراك' } }, ['en', 'ar']));
    expect(sent!.mail.subject).toBe('مقال جديد: Hello');
    expect(sent!.mail.html).toContain('<html lang="ar" dir="rtl">');
    expect(sent!.mail.text).toContain('إلغاء الاشتراك: ');
  });
});

describe('the welcome email', () => {
  for (const locale of SHIPPED) {
    it(`${locale}: subject, heading and summary in ${locale}`, async () => {
      const reader = await readerIn(locale, `welcome-${locale}@example.org`);
      const tr = translator(locale);
      const summary = choicesSummary({ contentTypes: ['blog'], frequency: 'daily' }, tr);
      await queueVerificationEmail(t.db, {
        userId: reader.id,
        email: reader.email,
        verifyUrl: `${SITE}/preferences?token=abc`,
        kind: 'welcome',
        summary,
        now: new Date(T0),
      });
      const [sent] = await sendAll(config());
      expect(sent!.mail.subject).toBe(tr('email.welcome.subject', { site: 'Plain Words' }));
      expect(sent!.mail.text).toContain(tr('email.welcome.heading'));
      expect(sent!.mail.text).toContain(tr('email.welcome.intro', { site: 'Plain Words', email: reader.email, summary }));
      expect(sent!.mail.html).toContain(`<html lang="${locale}" dir="ltr">`);
    });
  }
});

describe('the sign-in and set-password emails', () => {
  for (const locale of SHIPPED) {
    it(`${locale}: subject and button in ${locale}`, async () => {
      const reader = await readerIn(locale, `account-${locale}@example.org`);
      const tr = translator(locale);
      await queueVerificationEmail(t.db, {
        userId: reader.id,
        email: reader.email,
        verifyUrl: `${SITE}/account/link?token=a`,
        kind: 'sign_in',
        now: new Date(T0),
      });
      await queueVerificationEmail(t.db, {
        userId: reader.id,
        email: reader.email,
        verifyUrl: `${SITE}/account/password?token=b`,
        kind: 'set_password',
        now: new Date(T0),
      });
      const sent = await sendAll(config());
      expect(sent.map((s) => s.mail.subject).sort()).toEqual(
        [tr('email.signIn.subject', { site: 'Plain Words' }), tr('email.password.subject', { site: 'Plain Words' })].sort(),
      );
      const texts = sent.map((s) => s.mail.text).join('\n');
      expect(texts).toContain(`${tr('email.signIn.button')}: ${SITE}/account/link?token=a`);
      expect(texts).toContain(`${tr('email.password.button')}: ${SITE}/account/password?token=b`);
    });
  }
});
