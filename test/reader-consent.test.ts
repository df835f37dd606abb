/**
 * Issue 18, consent from the mailbox owner, for the owner's choices: a stranger subscribes an
 * address; the owner later proves the mailbox through an account link. Nothing the stranger
 * asked for becomes active; only the owner's own choice (the confirmation link, or a save on the
 * preferences page) activates, and every activation leaves a confirmed consent record.
 * Real local D1, handlers called as an attacker would call the routes.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { consentsOf } from '../db/readers/consent';
import { isReceivingMail } from '../db/delivery/eligibility';
import { createUser, getUserByEmail } from '../db/readers/users';
import { handleLinkRequest, handleSetPassword, handleSignInLink, type LinkRequestKind } from '../integration/server/reader/account-links';
import { handlePreferencesForm } from '../integration/server/reader/preferences';
import { handleSubscribeApi } from '../integration/server/reader/subscribe';
import { handleVerify } from '../integration/server/reader/verify';
import { createTestD1, type TestD1 } from './helpers/d1';
import { fakeDeps, formRequest, jsonRequest, tokenOf } from './helpers/reader';

let t: TestD1;
beforeAll(async () => {
  t = await createTestD1();
});
afterAll(async () => t?.dispose());

let ip = 0;
const nextIp = () => `198.51.100.${++ip}`;

async function strangerSubscribes(email: string, contentTypes = ['blog', 'thought', 'announcement'], frequency = 'immediate') {
  const deps = fakeDeps();
  const response = await handleSubscribeApi(
    t.db,
    jsonRequest('/api/subscribe', { email, contentTypes, frequency }, { headers: { 'cf-connecting-ip': '203.0.113.66' } }),
    deps,
  );
  expect(response.status).toBe(202);
  return deps.sent[0] ? tokenOf(deps.sent[0].verifyUrl) : null;
}

async function linkFor(email: string, kind: LinkRequestKind): Promise<string> {
  const deps = fakeDeps();
  await handleLinkRequest(t.db, formRequest(`/account/${kind}`, { email }, { 'cf-connecting-ip': nextIp() }), deps, kind);
  return tokenOf(deps.sent[0]!.verifyUrl);
}

const confirmedRecords = async (userId: string) => (await consentsOf(t.db, userId)).filter((c) => c.confirmedAt !== null);

describe('an account link proves the mailbox but confirms nobody else’s subscription', () => {
  it('sign-in link after a stranger’s subscribe: signed in, nothing active, no confirmed consent', async () => {
    await strangerSubscribes('victim1@example.com');
    const used = await handleSignInLink(t.db, formRequest('/account/link', { token: await linkFor('victim1@example.com', 'sign_in') }), {});
    expect(used.type).toBe('response');
    const user = (await getUserByEmail(t.db, 'victim1@example.com'))!;
    expect(user.emailProvenAt).not.toBeNull();
    expect(isReceivingMail(user)).toBe(false);
    expect(user).toMatchObject({ emailVerified: false, emailBlogUpdates: false, emailThoughtUpdates: false, emailAnnouncements: false });
    expect(await confirmedRecords(user.id)).toEqual([]);
  });

  it('set-password (reset) link after a stranger’s subscribe: the same', async () => {
    await strangerSubscribes('victim2@example.com', ['announcement'], 'weekly');
    const token = await linkFor('victim2@example.com', 'reset');
    expect((await handleSetPassword(t.db, formRequest('/account/password', { token, password: 'owner password 1' }), {})).type).toBe('response');
    const user = (await getUserByEmail(t.db, 'victim2@example.com'))!;
    expect(isReceivingMail(user)).toBe(false);
    expect(user.emailAnnouncements).toBe(false);
    expect(await confirmedRecords(user.id)).toEqual([]);
  });

  it('register, then the set-password link: an account, no subscription; the register request is on record, unconfirmed', async () => {
    await strangerSubscribes('victim3@example.com');
    const token = await linkFor('victim3@example.com', 'register');
    expect((await handleSetPassword(t.db, formRequest('/account/password', { token, password: 'owner password 3' }), {})).type).toBe('response');
    const user = (await getUserByEmail(t.db, 'victim3@example.com'))!;
    expect(isReceivingMail(user)).toBe(false);
    const records = await consentsOf(t.db, user.id);
    expect(records.map((r) => [r.source, r.confirmedAt])).toEqual(
      expect.arrayContaining([
        ['register', null],
        ['api', null],
      ]),
    );
    expect(await confirmedRecords(user.id)).toEqual([]);
  });
});

describe('only the owner’s choice activates, and leaves a confirmed consent record', () => {
  it('signed in, the owner saves their own choices: active on those, with their confirmed record (not the stranger’s)', async () => {
    await strangerSubscribes('owner4@example.com', ['blog', 'thought', 'announcement'], 'immediate');
    const used = await handleSignInLink(t.db, formRequest('/account/link', { token: await linkFor('owner4@example.com', 'sign_in') }), {});
    expect(used.type).toBe('response');
    const proven = (await getUserByEmail(t.db, 'owner4@example.com'))!;
    const saved = await handlePreferencesForm(
      t.db,
      formRequest('/preferences', { contentTypes: 'thought', frequency: 'weekly' }, { 'cf-connecting-ip': '192.0.2.44' }),
      proven,
      {},
    );
    expect(saved.type).toBe('response');
    const user = (await getUserByEmail(t.db, 'owner4@example.com'))!;
    expect(isReceivingMail(user)).toBe(true);
    expect(user).toMatchObject({ emailThoughtUpdates: true, emailBlogUpdates: false, emailAnnouncements: false, emailFrequency: 'weekly' });
    expect(await confirmedRecords(user.id)).toMatchObject([
      { source: 'subscribe_form', choices: { contentTypes: ['thought'], frequency: 'weekly' }, ipAddress: '192.0.2.44' },
    ]);
  });

  it('the confirmation link writes a confirmed record even when its pending one is gone', async () => {
    const token = (await strangerSubscribes('owner5@example.com', ['blog'], 'daily'))!;
    await t.d1.prepare("UPDATE consents SET verification_token_hash = NULL WHERE user_id = (SELECT id FROM users WHERE email = 'owner5@example.com')").run();
    expect((await handleVerify(t.db, formRequest('/verify', { token }), fakeDeps())).type).toBe('response');
    const user = (await getUserByEmail(t.db, 'owner5@example.com'))!;
    expect(isReceivingMail(user)).toBe(true);
    expect(await confirmedRecords(user.id)).toMatchObject([{ choices: { contentTypes: ['blog'], frequency: 'daily' } }]);
  });
});

describe('a stranger’s subscribe changes nothing about an existing reader', () => {
  it('a bounced reader keeps preferences, status and email_verified; a confirmed one too', async () => {
    const bounced = await createUser(t.db, { email: 'bounced@example.com', emailVerified: true, emailBlogUpdates: true, emailFrequency: 'daily' });
    await t.d1.prepare("UPDATE users SET email_status = 'bounced' WHERE id = ?1").bind(bounced.id).run();
    const confirmed = await createUser(t.db, { email: 'confirmed@example.com', emailVerified: true, emailThoughtUpdates: true, emailFrequency: 'weekly' });
    const before = [(await getUserByEmail(t.db, 'bounced@example.com'))!, (await getUserByEmail(t.db, 'confirmed@example.com'))!];
    await strangerSubscribes('bounced@example.com', ['announcement'], 'immediate');
    await strangerSubscribes('confirmed@example.com', ['announcement'], 'immediate');
    const pick = (u: typeof bounced) => [
      u.emailStatus,
      u.emailVerified,
      u.emailBlogUpdates,
      u.emailThoughtUpdates,
      u.emailAnnouncements,
      u.emailFrequency,
      u.unsubscribeAll,
    ];
    expect(pick((await getUserByEmail(t.db, 'bounced@example.com'))!)).toEqual(pick(before[0]!));
    expect(pick((await getUserByEmail(t.db, 'confirmed@example.com'))!)).toEqual(pick(before[1]!));
    expect(confirmed.id).toBe(before[1]!.id);
  });
});
