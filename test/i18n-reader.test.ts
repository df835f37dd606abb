/**
 * The reader handlers in the page's language (issue 22): what is stored with the reader, the
 * consent wording recorded, form errors, the mail's summary and the one-click answer.
 */
import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CONSENT_TEXT } from '../db/readers/consent';
import { consents, consentTexts } from '../db/schema';
import { createUnsubscribeToken } from '../db/readers/unsubscribe-tokens';
import { getUserByEmail } from '../db/readers/users';
import { CATALOGS, translator } from '../integration/i18n';
import { handleLogin, handleLogout } from '../integration/server/reader/account';
import { handleLinkRequest, handleSetPassword, showAccountLink } from '../integration/server/reader/account-links';
import { handleSubscribeForm } from '../integration/server/reader/subscribe';
import { MIN_PASSWORD_LENGTH } from '../integration/server/validation';
import { handleOneClick } from '../integration/server/reader/unsubscribe';
import { createTestD1, type TestD1 } from './helpers/d1';
import { fakeDeps, formRequest, SITE, tokenOf } from './helpers/reader';

let t: TestD1;
beforeAll(async () => {
  t = await createTestD1();
});
afterAll(async () => t?.dispose());

const de = translator('de');

describe('subscribing from a German page', () => {
  it('stores the reader with de, records the German consent wording, words the mail summary in German, keeps the language in the redirect', async () => {
    const deps = fakeDeps({ t: de, lang: 'de' });
    const result = await handleSubscribeForm(
      t.db,
      formRequest('/subscribe', { email: 'anna@example.de', contentTypes: ['blog', 'thought'], frequency: 'weekly' }),
      deps,
    );
    expect(result.type === 'response' && result.response.headers.get('location')).toBe('/subscribe?sent=1&lang=de');
    const user = (await getUserByEmail(t.db, 'anna@example.de'))!;
    expect(user.locale).toBe('de');
    expect(deps.sent[0]!.summary).toBe('Blogbeiträge und Gedanken, eine wöchentliche Zusammenfassung');

    const [record] = await t.db.select().from(consents).where(eq(consents.userId, user.id));
    expect(record!.textVersion).toMatch(new RegExp(`^${CONSENT_TEXT.version}/de/[0-9a-f]{8}$`));
    const [wording] = await t.db.select().from(consentTexts).where(eq(consentTexts.version, record!.textVersion));
    expect(wording!.text).toBe(CATALOGS.de!['consent.text']);
  });

  it('a known reader keeps their language when someone subscribes the address from another page', async () => {
    await handleSubscribeForm(
      t.db,
      formRequest('/subscribe', { email: 'anna@example.de', contentTypes: ['blog'], frequency: 'daily' }),
      fakeDeps({ t: translator('fr') }),
    );
    expect((await getUserByEmail(t.db, 'anna@example.de'))!.locale).toBe('de');
  });

  it('answers bad input field by field in German', async () => {
    const result = await handleSubscribeForm(t.db, formRequest('/subscribe', { email: 'not an address', frequency: 'hourly' }), fakeDeps({ t: de }));
    expect(result.type === 'render' && result.view.errors).toEqual({
      email: CATALOGS.de!['error.emailInvalid'],
      contentTypes: CATALOGS.de!['error.typesNone'],
      frequency: de('error.frequencyUnknown', { choices: 'immediate, daily, weekly' }),
    });
  });

  it('without a language (the JSON API, tests) everything stays English and nothing is stored', async () => {
    await handleSubscribeForm(t.db, formRequest('/subscribe', { email: 'plain@example.com', contentTypes: ['blog'], frequency: 'daily' }), fakeDeps());
    expect((await getUserByEmail(t.db, 'plain@example.com'))!.locale).toBeNull();
  });
});

describe('RFC 8058 one-click', () => {
  it('answers in the site’s language', async () => {
    const user = (await getUserByEmail(t.db, 'anna@example.de'))!;
    const { token } = await createUnsubscribeToken(t.db, { userId: user.id, tokenType: 'one_click', ttlSeconds: 3600, now: new Date() });
    const request = new Request(`${SITE}/api/unsubscribe/one-click?token=${token}`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: 'List-Unsubscribe=One-Click',
    });
    const response = await handleOneClick(t.db, request, { t: de });
    expect(response.status).toBe(200);
    expect(await response.text()).toBe(`${CATALOGS.de!['oneClick.done']}\n`);
  });
});

describe('account pages in the page’s language', () => {
  it('registering from a French page stores fr, answers errors in French and keeps the language in the redirect', async () => {
    const fr = translator('fr');
    const bad = await handleLinkRequest(t.db, formRequest('/account/register', { email: 'nope' }), fakeDeps({ t: fr, lang: 'fr' }), 'register');
    expect(bad.type === 'render' && bad.view.errors).toEqual({ email: CATALOGS.fr!['error.emailInvalid'] });
    const deps = fakeDeps({ t: fr, lang: 'fr' });
    const done = await handleLinkRequest(t.db, formRequest('/account/register', { email: 'claire@example.fr' }), deps, 'register');
    expect(done.type === 'response' && done.response.headers.get('location')).toBe('/account/register?sent=1&lang=fr');
    expect((await getUserByEmail(t.db, 'claire@example.fr'))!.locale).toBe('fr');
    // The set-password page the mail leads to knows the reader's language; its errors follow the page's.
    const url = new URL(deps.sent[0]!.verifyUrl);
    expect(await showAccountLink(t.db, url, 'set_password', {})).toMatchObject({ view: { state: 'confirm', locale: 'fr' } });
    const short = await handleSetPassword(t.db, formRequest('/account/password', { token: tokenOf(url.href), password: 'court' }), { t: fr });
    expect(short.type === 'render' && short.view).toMatchObject({
      state: 'confirm',
      errors: { password: fr('error.passwordShort', { min: MIN_PASSWORD_LENGTH }) },
    });
  });

  it('a wrong password, and signing out, in Spanish', async () => {
    const es = translator('es');
    const wrong = await handleLogin(
      t.db,
      formRequest('/account/login', { email: 'nadie@example.es', password: 'una contraseña cualquiera' }, { 'cf-connecting-ip': '203.0.113.77' }),
      { t: es },
    );
    expect(wrong.type === 'render' && wrong.view.errors).toEqual({ form: CATALOGS.es!['account.loginFailed'] });
    const out = await handleLogout(t.db, new Request(`${SITE}/account/logout`, { method: 'POST' }), 'es');
    expect(out.headers.get('location')).toBe('/account/login?signed-out=1&lang=es');
  });
});
