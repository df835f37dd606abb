/**
 * The reader pages say what the reader gets, from the saved state: the preferences sentence,
 * nothing ticked saved as unsubscribed (so the console shows it), "unsubscribe from everything"
 * shown as no type ticked, and the unsubscribe page saying what is still sent with an
 * "Unsubscribe from everything" token. Real local D1.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createUnsubscribeToken } from '../db/readers/unsubscribe-tokens';
import { createUser, getUserById } from '../db/readers/users';
import { searchSubscribers } from '../db/admin/subscribers';
import { translator } from '../integration/i18n';
import { handlePreferencesForm, showPreferences, type PreferencesView } from '../integration/server/reader/preferences';
import { whatYouGet } from '../integration/server/reader/summary';
import { handleUnsubscribe, type UnsubscribeView } from '../integration/server/reader/unsubscribe';
import { createTestD1, type TestD1 } from './helpers/d1';
import { formRequest, SITE } from './helpers/reader';

let t: TestD1;
beforeAll(async () => {
  t = await createTestD1();
});
afterAll(async () => t?.dispose());

const AT = new Date('2026-03-01T12:00:00Z');
const clock = { now: () => AT };
let counter = 0;
const reader = (types: { blog?: boolean; thought?: boolean; announcement?: boolean } = { blog: true, thought: true }) =>
  createUser(t.db, {
    email: `get-${++counter}@example.com`,
    emailVerified: true,
    emailBlogUpdates: types.blog ?? false,
    emailThoughtUpdates: types.thought ?? false,
    emailAnnouncements: types.announcement ?? false,
  });

async function formOf(token: string): Promise<Extract<PreferencesView, { state: 'form' }>> {
  const shown = await showPreferences(t.db, new URL(`${SITE}/preferences?token=${token}`), null, clock);
  if (shown.type !== 'render' || shown.view.state !== 'form') throw new Error('no form');
  return shown.view;
}

async function doneOf(token: string): Promise<Extract<UnsubscribeView, { state: 'done' }>> {
  const done = await handleUnsubscribe(t.db, formRequest('/unsubscribe', { token }), clock);
  if (done.type !== 'render' || done.view.state !== 'done') throw new Error(`not done: ${JSON.stringify(done)}`);
  return done.view;
}

const statusInConsole = async (email: string) => (await searchSubscribers(t.db, { q: email })).rows.find((r) => r.email === email)?.status;

describe('the sentence', () => {
  it('names the types and the rhythm in the reader’s language, or says nothing is sent', () => {
    const en = translator('en');
    expect(whatYouGet({ contentTypes: ['blog', 'thought'], frequency: 'immediate' }, en)).toBe(
      'You get blog posts and thoughts right away, one email per post.',
    );
    expect(whatYouGet({ contentTypes: ['blog', 'thought', 'announcement'], frequency: 'weekly' }, en)).toBe(
      'You get blog posts, thoughts, and announcements in a weekly digest.',
    );
    expect(whatYouGet(null, en)).toBe('You get no email from this blog.');
    expect(whatYouGet({ contentTypes: ['thought'], frequency: 'daily' }, en, 'still')).toBe('You still get thoughts in a daily digest.');
    expect(whatYouGet({ contentTypes: ['blog', 'thought'], frequency: 'weekly' }, translator('de'))).toBe(
      'Sie erhalten Blogbeiträge und Gedanken in einer wöchentlichen Zusammenfassung.',
    );
    expect(whatYouGet({ contentTypes: ['blog', 'thought'], frequency: 'daily' }, translator('fr'))).toBe(
      'Vous recevez les articles du blog et les réflexions dans un résumé quotidien.',
    );
  });
});

describe('preferences page', () => {
  it('says what the saved reader gets; nothing ticked is saved as unsubscribed, and the console shows it', async () => {
    const user = await reader();
    const { token } = await createUnsubscribeToken(t.db, { userId: user.id, tokenType: 'preference_change', now: AT });
    expect((await formOf(token)).receiving).toEqual({ contentTypes: ['blog', 'thought'], frequency: 'immediate' });

    await handlePreferencesForm(t.db, formRequest('/preferences', { token, frequency: 'weekly' }), null, clock);
    expect(await getUserById(t.db, user.id)).toMatchObject({ unsubscribeAll: true, emailStatus: 'unsubscribed' });
    const form = await formOf(token);
    expect(form.receiving).toBeNull();
    expect(form.values).toMatchObject({ contentTypes: [], unsubscribeAll: true });
    expect(await statusInConsole(user.email)).toBe('unsubscribed');

    await handlePreferencesForm(t.db, formRequest('/preferences', { token, contentTypes: 'thought', frequency: 'weekly' }), null, clock);
    expect((await formOf(token)).receiving).toEqual({ contentTypes: ['thought'], frequency: 'weekly' });
    expect(await statusInConsole(user.email)).toBe('active');
  });

  it('"unsubscribe from everything" leaves the form showing no type ticked and the box ticked', async () => {
    const user = await reader();
    const { token } = await createUnsubscribeToken(t.db, { userId: user.id, tokenType: 'preference_change', now: AT });
    await handlePreferencesForm(
      t.db,
      formRequest('/preferences', { token, contentTypes: ['blog', 'thought'], frequency: 'daily', unsubscribeAll: 'on' }),
      null,
      clock,
    );
    const form = await formOf(token);
    expect(form.values).toEqual({ contentTypes: [], frequency: 'daily', unsubscribeAll: true });
    expect(form.receiving).toBeNull();
  });
});

describe('unsubscribe page', () => {
  it('after one type, says what is still sent and offers everything with a token that works', async () => {
    const user = await reader();
    const { token } = await createUnsubscribeToken(t.db, { userId: user.id, tokenType: 'one_click', contentType: 'blog', now: AT });
    const done = await doneOf(token);
    expect(done.still).toEqual({ contentTypes: ['thought'], frequency: 'immediate' });
    expect(done.everythingToken).toEqual(expect.any(String));

    const all = await doneOf(done.everythingToken!);
    expect(all).toMatchObject({ scope: 'all', still: null, everythingToken: null });
    expect(await getUserById(t.db, user.id)).toMatchObject({ unsubscribeAll: true, emailStatus: 'unsubscribed' });
  });

  it('after the last type, says nothing is sent any more, offers nothing more, and the reader is unsubscribed', async () => {
    const user = await reader({ blog: true });
    const { token } = await createUnsubscribeToken(t.db, { userId: user.id, tokenType: 'one_click', contentType: 'blog', now: AT });
    expect(await doneOf(token)).toMatchObject({ scope: 'blog', still: null, everythingToken: null });
    expect(await getUserById(t.db, user.id)).toMatchObject({ unsubscribeAll: true, emailStatus: 'unsubscribed', emailBlogUpdates: false });
    expect(await statusInConsole(user.email)).toBe('unsubscribed');
  });
});
