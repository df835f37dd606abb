/**
 * Per-post results (db/admin/post-results.ts) on real local D1: each number counts readers,
 * the readers behind it are the right ones, and an unsubscribe counts only within the window and before the reader's next email.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { postResults } from '../db/admin/post-results';
import { processNotifications } from '../integration/delivery/processor';
import { createDevCaptureTransport } from '../integration/delivery/providers/dev/transport';
import { createTestD1, type TestD1 } from './helpers/d1';
import { addContent, addReader, clearTables, rows, settableClock, testConfig } from './helpers/delivery';

let t: TestD1;
beforeAll(async () => {
  t = await createTestD1();
});
afterAll(async () => t?.dispose());
beforeEach(async () => clearTables(t.d1));

const DAY = 86_400;

describe('postResults', () => {
  it('counts readers per result and names them', async () => {
    const clock = settableClock('2026-11-25T10:00:00Z');
    const names = ['ann', 'bob', 'cat', 'dan', 'eve', 'fay', 'gus'];
    const readers = Object.fromEntries(await Promise.all(names.map(async (n) => [n, await addReader(t.db, `${n}@example.org`)] as const)));
    const post = await addContent(t.db, { title: 'Results post', publishDate: '2026-11-25T09:00:00Z' });
    const deps = { db: t.db, transport: createDevCaptureTransport(t.db), config: testConfig(), clock: clock.clock };
    await processNotifications(deps);
    const sent = await rows<{ id: string; user_id: string; sent_at: number; email_message_id: string | null }>(
      t.d1,
      'SELECT id, user_id, sent_at, email_message_id FROM email_notifications WHERE content_id = ?1',
      post.slug,
    );
    expect(sent).toHaveLength(7);
    const of = (n: string) => sent.find((s) => s.user_id === readers[n]!.id)!;
    const at = of('ann').sent_at;

    // ann opened twice and clicked (rows as db/feedback/delivery-events.ts writes them); bob bounced, cat complained
    const history = (id: string, user: string, notification: string | null, action: string, ts: number) =>
      t.d1
        .prepare('INSERT INTO email_notification_history (id, notification_id, user_id, action, details, timestamp) VALUES (?1, ?2, ?3, ?4, NULL, ?5)')
        .bind(id, notification, user, action, ts);
    const later = await addContent(t.db, { title: 'Later post', publishDate: '2026-11-26T09:00:00Z' });
    await t.d1.batch([
      history('h1', readers.ann!.id, of('ann').id, 'opened', at + 60),
      history('h2', readers.ann!.id, of('ann').id, 'opened', at + 120),
      history('h3', readers.ann!.id, of('ann').id, 'clicked', at + 130),
      history('h4', readers.bob!.id, of('bob').id, 'bounced', at + 5),
      history('h5', readers.cat!.id, of('cat').id, 'complained', at + 50),
      // eve unsubscribes through her link two days later: caused by this post
      history('h6', readers.eve!.id, null, 'unsubscribed', at + 2 * DAY),
      // fay unsubscribes ten days later: outside the window
      history('h7', readers.fay!.id, null, 'unsubscribed', at + 10 * DAY),
      // gus got a later post first, then unsubscribed: that one caused it
      t.d1
        .prepare(
          "INSERT INTO email_notifications (id, user_id, content_type, content_id, content_title, content_url, notification_type, status, sent_at, created_at) VALUES ('later-gus', ?1, 'blog', ?2, 'Later post', 'https://x', 'new_content', 'sent', ?3, ?3)",
        )
        .bind(readers.gus!.id, later.slug, at + DAY),
      history('h8', readers.gus!.id, null, 'unsubscribed', at + 2 * DAY),
      // the provider confirmed delivery to ann (twice: one reader) and fay
      history('h9', readers.ann!.id, of('ann').id, 'delivered', at + 2),
      history('h10', readers.ann!.id, of('ann').id, 'delivered', at + 3),
      history('h11', readers.fay!.id, of('fay').id, 'delivered', at + 2),
      t.d1.prepare("UPDATE email_notifications SET status = 'failed', sent_at = NULL WHERE id = ?1").bind(of('dan').id),
    ]);

    const { counts } = await postResults(t.db, post.slug);
    expect(counts).toEqual({ sent: 6, delivered: 2, bounced: 1, complained: 1, failed: 1, unsubscribed: 1, opened: 1, clicked: 1 });
    const emails = async (m: Parameters<typeof postResults>[2]) => (await postResults(t.db, post.slug, m)).readers.map((r) => r.email);
    expect(await emails('unsubscribed')).toEqual(['eve@example.org']);
    expect(await emails('failed')).toEqual(['dan@example.org']);
    expect(await emails('opened')).toEqual(['ann@example.org']);
    expect(await emails('delivered')).toEqual(['ann@example.org', 'fay@example.org']);
    expect(await emails('sent')).toEqual(['ann', 'bob', 'cat', 'eve', 'fay', 'gus'].map((n) => `${n}@example.org`));
  });

  it('a post nobody got has all zeros', async () => {
    const post = await addContent(t.db, { title: 'Quiet', publishDate: '2026-11-25T09:00:00Z' });
    const { counts, readers } = await postResults(t.db, post.slug, 'sent');
    expect(Object.values(counts).every((n) => n === 0)).toBe(true);
    expect(readers).toEqual([]);
  });
});
