/**
 * The send step (`approval: 'manual'`) on real local D1: a build registers a post, it waits in
 * the console with its recipients; processNotifications fans nothing out; the author sends it now
 * or schedules it, and the fan-out happens once, at the scheduled time (one settable clock).
 * Posts registered before the option was on keep their state (neither wait nor go out twice).
 */
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { recentAdminActions } from '../db/admin/audit';
import { postRecipients, waitingPosts } from '../db/admin/posts';
import { listDevMail } from '../db/delivery/dev-mail';
import { processNotifications } from '../integration/delivery/processor';
import { runDelivery } from '../integration/delivery/queue-handlers';
import { createDevCaptureTransport } from '../integration/delivery/providers/dev/transport';
import { d1Runner } from '../db/sql-runner';
import { summaryLine, syncContent, type ContentRecord } from '../integration/registry/sync';
import { CSRF_COOKIE, type AdminSettings } from '../integration/server/admin/gate';
import { parseSendAt, postAction, type PostActionDeps } from '../integration/server/admin/posts';
import { recipientsInWords } from '../integration/server/admin/approval';
import { handleAdminPost } from '../integration/server/admin/request';
import { createTestD1, type TestD1 } from './helpers/d1';
import { addReader, clearTables, rows, settableClock, testConfig, SITE } from './helpers/delivery';

let t: TestD1;
beforeAll(async () => {
  t = await createTestD1();
});
afterAll(async () => t?.dispose());

const clock = settableClock('2026-12-07T10:00:00Z');
beforeEach(async () => {
  clock.set('2026-12-07T10:00:00Z');
  await clearTables(t.d1);
  await t.d1.batch([t.d1.prepare('DELETE FROM dev_mail_outbox'), t.d1.prepare('DELETE FROM admin_audit_log')]);
});

const ORIGIN = 'http://127.0.0.1:4321';
const CSRF = 'c'.repeat(43);
const settings: AdminSettings = { access: null, devBypass: true, mailTransport: 'dev' };
const config = testConfig();
const deliveryDeps = () => ({ db: t.db, transport: createDevCaptureTransport(t.db), config, clock: clock.clock });
const watched = { collections: ['blog'], types: ['blog'] };
const DIGEST = { hourUtc: 8, weeklyDay: 1 };

const secs = (iso: string) => Math.floor(Date.parse(iso) / 1000);
const record = (name: string, published: string): ContentRecord => ({
  slug: `blog/${name}`,
  contentType: 'blog',
  title: `Post ${name}`,
  description: null,
  contentPreview: `Preview of ${name}`,
  contentUrl: `${SITE}/blog/${name}/`,
  publishDate: secs(published),
  filePath: `src/content/blog/${name}.md`,
  contentHash: `hash-${name}`,
  tags: [],
  emailHtml: `<p>Body of ${name}</p>`,
  emailText: `Body of ${name}`,
  author: null,
  heroImage: null,
});

const build = (records: ContentRecord[], approval: 'auto' | 'manual', baseline = false) =>
  syncContent(d1Runner(t.d1), records, watched, { approval, baseline, at: clock.clock() });

async function act(id: string, fields: Record<string, string>, extra: Partial<PostActionDeps> = {}): Promise<Response> {
  const request = new Request(`${ORIGIN}/admin/posts/${id}/action`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded', origin: ORIGIN, cookie: `${CSRF_COOKIE}=${CSRF}` },
    body: new URLSearchParams({ csrf: CSRF, ...fields }),
  });
  return handleAdminPost(request, null, settings, (ctx) =>
    postAction({ db: t.db, config, transport: createDevCaptureTransport(t.db), now: clock.clock, ...extra }, ctx, id),
  );
}

const idOf = async (slug: string) => (await rows<{ id: string }>(t.d1, 'SELECT id FROM content_items WHERE slug = ?1', slug))[0]!.id;
const notice = (r: Response) => decodeURIComponent(new URL(r.headers.get('location')!, ORIGIN).searchParams.get('notice') ?? '');
const mailFor = async (slug: string) =>
  (await rows(t.d1, "SELECT id FROM email_notifications WHERE content_id = ?1 AND notification_type <> 'verification'", slug)).length;

async function readers() {
  await addReader(t.db, 'now1@example.com');
  await addReader(t.db, 'now2@example.com');
  await addReader(t.db, 'daily@example.com', { frequency: 'daily' });
  await addReader(t.db, 'nothing@example.com', { blog: false });
}

describe('approval: manual', () => {
  it('a registered post waits with its recipients; Send now fans it out once', async () => {
    await readers();
    const report = await build([record('fresh', '2026-12-07T09:00:00Z')], 'manual');
    expect(report.awaitingApproval).toBe(1);
    expect(summaryLine(report)).toContain('1 waiting for you to send them in the console (approval: manual)');

    const id = await idOf('blog/fresh');
    const [waiting] = await waitingPosts(t.db, clock.clock());
    expect(waiting).toMatchObject({ slug: 'blog/fresh', state: 'approval', held: true, recipients: { immediate: 2, daily: 1, weekly: 0 } });
    expect(recipientsInWords(waiting!, clock.clock(), clock.clock(), DIGEST)).toBe("2 readers right away, 1 in tomorrow's daily digest");

    // The processor runs on: nothing goes out for a post that waits.
    expect(await processNotifications(deliveryDeps())).toMatchObject({ fannedOut: 0, sent: 0 });
    clock.set('2026-12-09T10:00:00Z');
    expect(await processNotifications(deliveryDeps())).toMatchObject({ fannedOut: 0, sent: 0 });
    expect(await mailFor('blog/fresh')).toBe(0);

    expect(notice(await act(id, { op: 'send' }))).toBe('Sent: it goes out with the next delivery run.');
    expect(await postRecipients(t.db, id, clock.clock())).toMatchObject({ state: 'due', held: false });
    expect(await processNotifications(deliveryDeps())).toMatchObject({ fannedOut: 3, sent: 2 });
    expect(await processNotifications(deliveryDeps())).toMatchObject({ fannedOut: 0, sent: 0 });
    expect(await mailFor('blog/fresh')).toBe(3); // two now, one in the digest: each reader once
    expect(await waitingPosts(t.db, clock.clock())).toEqual([]);
    expect((await recentAdminActions(t.db)).map((a) => a.action)).toContain('post_sent');

    // Sent again: refused, nothing queued twice.
    expect(notice(await act(id, { op: 'send' }))).toMatch(/already gone out or was cancelled/);
  });

  it('a scheduled post fans out at its time, not before, and once', async () => {
    await readers();
    await build([record('later', '2026-12-07T09:00:00Z')], 'manual');
    const id = await idOf('blog/later');

    expect(notice(await act(id, { op: 'schedule', send_at: '2026-12-08T07:30' }))).toBe(
      'Scheduled: it goes out with the first delivery run after 2026-12-08 07:30 UTC.',
    );
    expect(await postRecipients(t.db, id, clock.clock())).toMatchObject({ state: 'scheduled', sendAt: new Date('2026-12-08T07:30:00Z') });
    expect((await recentAdminActions(t.db)).find((a) => a.action === 'post_scheduled')?.details).toEqual({ sendAt: '2026-12-08T07:30:00.000Z' });

    clock.set('2026-12-08T07:29:59Z');
    expect(await processNotifications(deliveryDeps())).toMatchObject({ fannedOut: 0, sent: 0 });
    expect(await mailFor('blog/later')).toBe(0);

    clock.set('2026-12-08T07:30:00Z');
    expect(await processNotifications(deliveryDeps())).toMatchObject({ fannedOut: 3, sent: 2 });
    clock.set('2026-12-08T07:45:00Z');
    expect(await processNotifications(deliveryDeps())).toMatchObject({ fannedOut: 0, sent: 0 });
    expect((await listDevMail(t.db)).length).toBe(2);
  });

  it('Release on a waiting post sends it: the wait and the hold clear together', async () => {
    await build([record('released', '2026-12-07T09:00:00Z')], 'manual');
    const id = await idOf('blog/released');
    await act(id, { op: 'release' });
    expect(await rows(t.d1, 'SELECT delivery_held, awaiting_approval FROM content_items WHERE id = ?1', id)).toEqual([
      { delivery_held: 0, awaiting_approval: 0 },
    ]);
    expect(await postRecipients(t.db, id, clock.clock())).toMatchObject({ state: 'due' });
  });

  it('a waiting post the author cancels leaves the console’s waiting list and is never sent', async () => {
    await readers();
    await build([record('dropped', '2026-12-07T09:00:00Z')], 'manual');
    const id = await idOf('blog/dropped');
    await act(id, { op: 'cancel', confirm: 'yes' });
    expect(await waitingPosts(t.db, clock.clock())).toEqual([]);
    expect(await processNotifications(deliveryDeps())).toMatchObject({ fannedOut: 0, sent: 0 });
    expect(notice(await act(id, { op: 'send' }))).toMatch(/already gone out or was cancelled/);
  });

  it('refuses a time that has passed or is no time at all, and schedules nothing', async () => {
    await build([record('bad', '2026-12-07T09:00:00Z')], 'manual');
    const id = await idOf('blog/bad');
    expect(notice(await act(id, { op: 'schedule', send_at: '2026-12-07T09:59' }))).toMatch(/^Not scheduled: 2026-12-07 09:59 UTC has passed/);
    expect(notice(await act(id, { op: 'schedule', send_at: 'tomorrow' }))).toMatch(/^Not scheduled: give a date and time/);
    expect(notice(await act(id, { op: 'schedule', send_at: '2026-02-30T10:00' }))).toMatch(/^Not scheduled: give a date and time/);
    expect(await postRecipients(t.db, id, clock.clock())).toMatchObject({ state: 'approval', sendAt: null });
  });

  it('posts registered before the option was on neither wait nor go out twice', async () => {
    await readers();
    // Before: `auto`. One post already went out, one is future-dated and not yet due.
    await build([record('old', '2026-12-01T09:00:00Z'), record('future', '2026-12-10T09:00:00Z')], 'auto');
    await processNotifications(deliveryDeps());
    expect(await mailFor('blog/old')).toBe(3);

    // The option is turned on; the next build registers one new post and sees the others unchanged.
    const report = await build(
      [record('old', '2026-12-01T09:00:00Z'), record('future', '2026-12-10T09:00:00Z'), record('new', '2026-12-07T09:30:00Z')],
      'manual',
    );
    expect(report).toMatchObject({ awaitingApproval: 1, unchanged: 2 });
    expect((await waitingPosts(t.db, clock.clock())).map((p) => [p.slug, p.state])).toEqual([['blog/new', 'approval']]);

    clock.set('2026-12-10T09:00:00Z');
    expect(await processNotifications(deliveryDeps())).toMatchObject({ fannedOut: 3 }); // the future-dated post's three readers, as announced
    expect(await mailFor('blog/future')).toBe(3);
    expect(await mailFor('blog/old')).toBe(3);
    expect(await mailFor('blog/new')).toBe(0);
  });

  it('with a baseline, what is already published counts as announced and does not wait', async () => {
    const report = await build([record('back', '2026-11-01T09:00:00Z'), record('ahead', '2026-12-20T09:00:00Z')], 'manual', true);
    expect(report).toMatchObject({ baselined: 1, awaitingApproval: 1 });
    expect((await waitingPosts(t.db, clock.clock())).map((p) => [p.slug, p.state])).toEqual([['blog/ahead', 'approval']]);
  });

  it('approval: auto (the default) leaves a new post to the next run', async () => {
    await readers();
    const report = await build([record('plain', '2026-12-07T09:00:00Z')], 'auto');
    expect(report.awaitingApproval).toBeNull();
    expect(summaryLine(report)).not.toContain('waiting for you');
    expect(await processNotifications(deliveryDeps())).toMatchObject({ fannedOut: 3, sent: 2 });
  });
});

describe('Send now starts the delivery after the answer', () => {
  afterEach(() => vi.restoreAllMocks());
  // The handler's background work is held, not started, so the test sees what the answer waited for.
  const held = () => {
    const pending: (() => Promise<unknown>)[] = [];
    return { pending, afterResponse: (work: () => Promise<unknown>) => void pending.push(work) };
  };
  // The wiring of admin/runtime.ts: the mode's run (cron here: the processor), as the scheduled handler starts it.
  const deliverNow = () => runDelivery(deliveryDeps(), { DB: t.d1 });

  it('answers first, then fans the post out and sends: the readers have their notifications and the outbox their mail', async () => {
    await readers();
    await build([record('prompt', '2026-12-07T09:00:00Z')], 'manual');
    const id = await idOf('blog/prompt');
    const background = held();

    const answer = await act(id, { op: 'send' }, { deliverNow, afterResponse: background.afterResponse });
    expect(answer.status).toBe(303);
    expect(notice(answer)).toBe('Sent: the mail is going out now. 1 reader on a digest gets it in their next digest.');
    expect(background.pending).toHaveLength(1);
    expect(await mailFor('blog/prompt')).toBe(0); // the answer did not wait for the sending

    vi.spyOn(console, 'log').mockImplementation(() => {});
    await Promise.all(background.pending.map((work) => work()));
    const sent = await rows<{ email: string; notification_type: string; status: string }>(
      t.d1,
      `SELECT u.email, n.notification_type, n.status FROM email_notifications n JOIN users u ON u.id = n.user_id
       WHERE n.content_id = 'blog/prompt' ORDER BY u.email`,
    );
    expect(sent).toEqual([
      { email: 'daily@example.com', notification_type: 'digest', status: 'pending' },
      { email: 'now1@example.com', notification_type: 'new_content', status: 'sent' },
      { email: 'now2@example.com', notification_type: 'new_content', status: 'sent' },
    ]);
    expect((await listDevMail(t.db)).map((m) => m.toAddress).sort()).toEqual(['now1@example.com', 'now2@example.com']);
    expect(notice(await act(id, { op: 'send' }, { deliverNow, afterResponse: background.afterResponse }))).toMatch(/already gone out or was cancelled/);
    expect(background.pending).toHaveLength(1); // nothing started for a refused send
  });

  it('a failed run is logged without the raw token or secret in its error, and the answer was already given', async () => {
    await build([record('broken', '2026-12-07T09:00:00Z')], 'manual');
    const id = await idOf('blog/broken');
    const background = held();
    const token = 'tK9'.repeat(15);
    const failing = () =>
      Promise.reject(new Error(`D1_ERROR: INSERT failed for https://blog.example/unsubscribe?token=${token} with Bearer re_live_${token}\nparams: ${token}`));

    const answer = await act(id, { op: 'send' }, { deliverNow: failing, afterResponse: background.afterResponse });
    expect(notice(answer)).toBe('Sent: the mail is going out now.'); // no reader on a digest: no digest words
    const logged = vi.spyOn(console, 'error').mockImplementation(() => {});
    await Promise.all(background.pending.map((work) => work()));
    const text = logged.mock.calls.flat().map(String).join(' ');
    expect(text).toMatch(/^send now: the delivery run failed: D1_ERROR: INSERT failed/);
    expect(text).not.toContain(token);
    expect(text).not.toContain('re_live_');
  });

  it('a post dated in the future is approved but not run now: it goes out when published', async () => {
    await readers();
    await build([record('ahead', '2026-12-10T09:00:00Z')], 'manual');
    const id = await idOf('blog/ahead');
    const background = held();
    expect(notice(await act(id, { op: 'send' }, { deliverNow, afterResponse: background.afterResponse }))).toBe(
      'Sent: it goes out when published, 2026-12-10 09:00 UTC.',
    );
    expect(background.pending).toEqual([]);
    expect(await postRecipients(t.db, id, clock.clock())).toMatchObject({ state: 'due', held: false });
  });
});

describe('parseSendAt', () => {
  it('reads datetime-local values as UTC and refuses dates that do not exist', () => {
    expect(parseSendAt('2026-12-08T09:30')).toEqual(new Date('2026-12-08T09:30:00Z'));
    expect(parseSendAt('2026-12-08T09:30:15')).toEqual(new Date('2026-12-08T09:30:15Z'));
    expect(parseSendAt('2026-02-29T09:30')).toBeNull();
    expect(parseSendAt('2026-12-08T24:30')).toBeNull();
    expect(parseSendAt('2026-12-08 09:30')).toBeNull();
    expect(parseSendAt('')).toBeNull();
  });
});
