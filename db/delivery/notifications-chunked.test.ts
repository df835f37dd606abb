import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestD1, type TestD1 } from '../../test/helpers/d1';
import { addContent, addReader } from '../../test/helpers/delivery';
import { enqueueNotificationsInChunks } from './notifications';

let t: TestD1;
beforeAll(async () => {
  t = await createTestD1();
  for (let i = 0; i < 25; i++) await addReader(t.db, `chunk${String(i).padStart(2, '0')}@example.org`);
  await addReader(t.db, 'off@example.org', { blog: false });
});
afterAll(async () => t?.dispose());

const count = async (sql: string, slug: string) => (await t.d1.prepare(sql).bind(slug).first<{ n: number }>())!.n;
const rowsFor = (slug: string) => count('SELECT count(*) AS n FROM email_notifications WHERE content_id = ?1', slug);
const historyFor = (slug: string) =>
  count('SELECT count(*) AS n FROM email_notification_history h JOIN email_notifications n ON n.id = h.notification_id WHERE n.content_id = ?1', slug);

describe('enqueueNotificationsInChunks', () => {
  it('covers every eligible reader once over user-id ranges (chunks count all users), one statement per chunk', async () => {
    const post = await addContent(t.db, { title: 'Chunked', publishDate: new Date(Date.now() - 60_000) });
    const result = await enqueueNotificationsInChunks(t.db, post, { chunkReaders: 10 });
    expect(result).toMatchObject({ created: 25, existing: 0, done: true });
    expect(result.chunks).toBeGreaterThanOrEqual(3);
    expect(await rowsFor(post.slug)).toBe(25);
    expect(await historyFor(post.slug)).toBe(0); // queued is the row itself
  });

  it('a small list is one chunk', async () => {
    const post = await addContent(t.db, { title: 'Small', publishDate: new Date(Date.now() - 60_000) });
    expect(await enqueueNotificationsInChunks(t.db, post)).toEqual({ created: 25, existing: 0, done: true, chunks: 1 });
  });

  it('stopped after a chunk (time budget spent, or a crash), it resumes after the last reader that got a row, creating nothing twice', async () => {
    const post = await addContent(t.db, { title: 'Resumed', publishDate: new Date(Date.now() - 60_000) });
    const first = await enqueueNotificationsInChunks(t.db, post, { chunkReaders: 10, timeBudgetMs: 0 });
    expect(first).toMatchObject({ done: false, chunks: 1 });
    expect(first.created).toBeGreaterThanOrEqual(9); // ten users by id, one of them not a blog reader
    expect(first.created).toBeLessThanOrEqual(10);
    const rest = await enqueueNotificationsInChunks(t.db, post, { chunkReaders: 10 });
    expect(rest).toMatchObject({ existing: first.created, created: 25 - first.created, done: true });
    expect(rest.chunks).toBeLessThanOrEqual(3); // started after the checkpoint, not from the first reader
    expect(await rowsFor(post.slug)).toBe(25);
    expect(await historyFor(post.slug)).toBe(0); // queued is the row itself
    expect(await enqueueNotificationsInChunks(t.db, post, { chunkReaders: 10 })).toMatchObject({ existing: 25, created: 0, done: true });
  });
});
