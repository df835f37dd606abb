/**
 * The console's post actions on real local D1, called as handlers with a Request: hold (the
 * processor sends nothing for a held post, neither fan-out nor queued rows), release, cancel,
 * retry failed, and "send a test to me" into the dev capture; each writes the audit log.
 */
import PostalMime from 'postal-mime';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { recentAdminActions } from '../db/admin/audit';
import { getPostWithProgress, listPostsWithProgress, waitingPosts } from '../db/admin/posts';
import { markContentNotified } from '../db/content/content';
import { enqueueNotificationsForContent } from '../db/delivery/notifications';
import { listDevMail, getDevMail } from '../db/delivery/dev-mail';
import { processNotifications } from '../integration/delivery/processor';
import { createDevCaptureTransport } from '../integration/delivery/providers/dev/transport';
import { CSRF_COOKIE, type AdminSettings } from '../integration/server/admin/gate';
import { postAction } from '../integration/server/admin/posts';
import { renderPostEmail } from '../integration/server/admin/preview';
import { handleAdminPost } from '../integration/server/admin/request';
import { createTestD1, type TestD1 } from './helpers/d1';
import { addContent, addReader, clearTables, rows, settableClock, testConfig } from './helpers/delivery';

let t: TestD1;
beforeAll(async () => {
  t = await createTestD1();
});
afterAll(async () => t?.dispose());
beforeEach(async () => {
  await clearTables(t.d1);
  await t.d1.batch([t.d1.prepare('DELETE FROM dev_mail_outbox'), t.d1.prepare('DELETE FROM admin_audit_log')]);
});

const ORIGIN = 'http://127.0.0.1:4321';
const CSRF = 'c'.repeat(43);
const settings: AdminSettings = { access: null, devBypass: true, mailTransport: 'dev' };
const config = testConfig();
const clock = settableClock('2026-11-25T10:00:00Z');
const deliveryDeps = () => ({ db: t.db, transport: createDevCaptureTransport(t.db), config, clock: clock.clock });

async function act(id: string, fields: Record<string, string>): Promise<Response> {
  const request = new Request(`${ORIGIN}/admin/posts/${id}/action`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded', origin: ORIGIN, cookie: `${CSRF_COOKIE}=${CSRF}` },
    body: new URLSearchParams({ csrf: CSRF, ...fields }),
  });
  return handleAdminPost(request, null, settings, (ctx) =>
    postAction({ db: t.db, config, transport: createDevCaptureTransport(t.db), now: clock.clock }, ctx, id),
  );
}

const statuses = async (slug: string) =>
  (await rows<{ status: string }>(t.d1, 'SELECT status FROM email_notifications WHERE content_id = ?1 ORDER BY id', slug)).map((r) => r.status);

describe('hold and release', () => {
  it('a held post is not fanned out; released, it goes out', async () => {
    await addReader(t.db, 'r1@example.com');
    const post = await addContent(t.db, { publishDate: '2026-11-25T09:00:00Z', title: 'Held post' });
    const response = await act(post.id, { op: 'hold' });
    expect(response.status).toBe(303);
    expect(response.headers.get('location')).toMatch(new RegExp(`^/admin/posts/${post.id}\\?notice=Post%20held`));

    const run = await processNotifications(deliveryDeps());
    expect(run).toMatchObject({ fannedOut: 0, sent: 0 });
    expect(await listDevMail(t.db)).toEqual([]);

    await act(post.id, { op: 'release' });
    expect(await processNotifications(deliveryDeps())).toMatchObject({ fannedOut: 1, sent: 1 });
    expect((await listDevMail(t.db)).map((m) => m.subject)).toEqual([expect.stringContaining('Held post')]);
  });

  it('a post held after fan-out keeps its queued rows unclaimed', async () => {
    await addReader(t.db, 'r1@example.com');
    await addReader(t.db, 'r2@example.com', { frequency: 'daily' });
    const post = await addContent(t.db, { publishDate: '2026-11-25T09:00:00Z' });
    const other = await addContent(t.db, { publishDate: '2026-11-25T09:30:00Z' });
    // Fanned out (queued) before the author holds it.
    for (const item of [post, other]) await markContentNotified(t.db, item.id, await enqueueNotificationsForContent(t.db, item, { now: clock.clock() }));
    await act(post.id, { op: 'hold' });

    clock.set('2026-11-26T09:00:00Z'); // past the daily digest slot too
    await processNotifications(deliveryDeps());
    expect(await statuses(post.slug)).toEqual(['pending', 'pending']);
    expect(await statuses(other.slug)).toEqual(['sent', 'sent']);

    await act(post.id, { op: 'release' });
    await processNotifications(deliveryDeps());
    expect(await statuses(post.slug)).toEqual(['sent', 'sent']);
    clock.set('2026-11-25T10:00:00Z');
  });
});

describe('cancel and retry', () => {
  it('cancel stops every unsent row with history; retry re-queues failed rows, which then go out', async () => {
    const r1 = await addReader(t.db, 'r1@example.com');
    await addReader(t.db, 'r2@example.com');
    const post = await addContent(t.db, { publishDate: '2026-11-25T09:00:00Z' });
    await processNotifications({ ...deliveryDeps(), transport: { name: 'broken', send: async () => ({ ok: false, retryable: false, error: 'rejected' }) } });
    expect(await statuses(post.slug)).toEqual(['failed', 'failed']);

    const retried = await act(post.id, { op: 'retry' });
    expect(decodeURIComponent(retried.headers.get('location')!)).toContain('2 failed notifications queued again');
    expect(await processNotifications(deliveryDeps())).toMatchObject({ sent: 2 });
    expect(await statuses(post.slug)).toEqual(['sent', 'sent']);

    const second = await addContent(t.db, { publishDate: '2026-11-25T09:30:00Z' });
    await act(second.id, { op: 'hold' });
    await t.d1.prepare('UPDATE content_items SET delivery_held = 0 WHERE id = ?1').bind(second.id).run();
    await processNotifications({ ...deliveryDeps(), transport: { name: 'down', send: async () => ({ ok: false, retryable: true, error: 'later' }) } });
    expect((await act(second.id, { op: 'cancel' })).status).toBe(400); // not without the ticked confirmation
    expect(await statuses(second.slug)).not.toContain('cancelled');
    const cancelled = await act(second.id, { op: 'cancel', confirm: 'yes' });
    expect(decodeURIComponent(cancelled.headers.get('location')!)).toContain('Cancelled 2 unsent notifications');
    expect(await statuses(second.slug)).toEqual(['cancelled', 'cancelled']);
    const history = await rows<{ action: string; details: string }>(
      t.d1,
      "SELECT action, details FROM email_notification_history WHERE user_id = ?1 AND action = 'cancelled'",
      r1.id,
    );
    expect(JSON.parse(history[0]!.details)).toEqual({ reason: 'cancelled by the author', actor: 'dev-bypass' });
    clock.advance(3600);
    expect(await processNotifications(deliveryDeps())).toMatchObject({ sent: 0 });

    const progress = (await getPostWithProgress(t.db, second.id))!.progress;
    expect(progress.cancelled).toEqual({ immediate: 2, digest: 0 });
    const audit = (await recentAdminActions(t.db)).map((e) => [e.action, e.actor]);
    expect(audit).toEqual(
      expect.arrayContaining([
        ['post_retried', 'dev-bypass'],
        ['post_cancelled', 'dev-bypass'],
        ['post_held', 'dev-bypass'],
      ]),
    );
    clock.set('2026-11-25T10:00:00Z');
  });
});

describe('the overview’s “Posts that have not gone out” after a cancel', () => {
  const listed = async () => (await waitingPosts(t.db, clock.clock())).map((p) => [p.slug, p.state]);

  it('a held post whose unsent mail the author cancelled is not “held by you”, before or after its fan-out', async () => {
    await addReader(t.db, 'r1@example.com');
    await addReader(t.db, 'r2@example.com', { frequency: 'daily' });
    // Held before the fan-out: nothing queued yet.
    const early = await addContent(t.db, { publishDate: '2026-11-25T09:00:00Z', slug: 'blog/held-early' });
    await act(early.id, { op: 'hold' });
    // Held after the fan-out: its rows wait unclaimed.
    const late = await addContent(t.db, { publishDate: '2026-11-25T09:30:00Z', slug: 'blog/held-late' });
    await markContentNotified(t.db, late.id, await enqueueNotificationsForContent(t.db, late, { now: clock.clock() }));
    await act(late.id, { op: 'hold' });
    expect(await listed()).toEqual([
      ['blog/held-late', 'held'],
      ['blog/held-early', 'held'],
    ]);

    await act(early.id, { op: 'cancel', confirm: 'yes' });
    expect(await listed()).toEqual([['blog/held-late', 'held']]);
    await act(late.id, { op: 'cancel', confirm: 'yes' });
    expect(await statuses(late.slug)).toEqual(['cancelled', 'cancelled']);
    expect(await listed()).toEqual([]);
    expect(await processNotifications(deliveryDeps())).toMatchObject({ fannedOut: 0, sent: 0 });
  });

  it('a held post stays listed while any of its mail is left to go out', async () => {
    await addReader(t.db, 'r1@example.com');
    await addReader(t.db, 'r2@example.com', { frequency: 'daily' });
    const post = await addContent(t.db, { publishDate: '2026-11-25T09:00:00Z', slug: 'blog/half-sent' });
    await processNotifications(deliveryDeps()); // the immediate row goes, the digest row waits for its slot
    expect((await statuses(post.slug)).sort()).toEqual(['pending', 'sent']);
    await act(post.id, { op: 'hold' });
    expect(await listed()).toEqual([['blog/half-sent', 'held']]);
  });
});

describe('preview and test send', () => {
  it('renders the email the processor would send and sends a test into the dev capture', async () => {
    const post = await addContent(t.db, { publishDate: '2026-11-25T09:00:00Z', title: 'A <b>bold</b> title' });
    const rendered = await renderPostEmail(t.db, config, post, 'author@example.com');
    expect(rendered.templateName).toBe('blog_notification');
    expect(rendered.subject).toContain('A <b>bold</b> title');
    expect(rendered.html).toContain('A &lt;b&gt;bold&lt;&#x2F;b&gt; title');
    expect(rendered.text).toContain(post.contentUrl!);

    const response = await act(post.id, { op: 'test', to: 'Author@Example.com' });
    expect(decodeURIComponent(response.headers.get('location')!)).toContain('Test sent to author@example.com');
    const [mail] = await listDevMail(t.db);
    expect(mail).toMatchObject({ toAddress: 'author@example.com', subject: `[Test] ${rendered.subject}` });
    const parsed = await PostalMime.parse((await getDevMail(t.db, mail!.id))!.raw);
    expect(parsed.text?.trim()).toBe(rendered.text.trim());
    expect(await rows(t.d1, 'SELECT id FROM email_notifications')).toEqual([]); // a test is not a notification
  });

  it('answers bad input with a 4xx page, never a 500', async () => {
    const post = await addContent(t.db, { publishDate: '2026-11-25T09:00:00Z' });
    expect((await act(post.id, { op: 'explode' })).status).toBe(400);
    expect((await act('no-such-post', { op: 'hold' })).status).toBe(404);
    const bad = await act(post.id, { op: 'test', to: 'not an address\r\nBcc: x@evil.example' });
    expect(decodeURIComponent(bad.headers.get('location')!)).toContain('No test sent');
    expect(await listDevMail(t.db)).toEqual([]);
  });

  it('lists posts with progress counts', async () => {
    await addReader(t.db, 'r1@example.com');
    await addReader(t.db, 'r2@example.com', { frequency: 'weekly' });
    const post = await addContent(t.db, { publishDate: '2026-11-25T09:00:00Z' });
    await processNotifications(deliveryDeps());
    const [listed] = await listPostsWithProgress(t.db);
    expect(listed!.slug).toBe(post.slug);
    expect(listed!.progress.sent).toEqual({ immediate: 1, digest: 0 });
    expect(listed!.progress.pending).toEqual({ immediate: 0, digest: 1 });
    expect(listed!.total).toBe(2);
    // The list never reads the stored email bodies (tens of KB per post); the post page does.
    await t.d1.prepare("UPDATE content_items SET email_html = '<p>Body</p>' WHERE slug = ?1").bind(post.slug).run();
    expect(Object.keys((await listPostsWithProgress(t.db))[0]!)).not.toContain('emailHtml');
    expect((await getPostWithProgress(t.db, post.id))!.emailHtml).toBe('<p>Body</p>');
  });
});
