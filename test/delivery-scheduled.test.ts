import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildDeliveryDeps } from '../integration/delivery/deps';
import { handleScheduled } from '../integration/delivery/scheduled';
import { createTestD1, type TestD1 } from './helpers/d1';
import { addContent, addReader, rows } from './helpers/delivery';

let t: TestD1;
beforeAll(async () => {
  t = await createTestD1();
});
afterAll(async () => t?.dispose());

describe('the scheduled handler and the deps built from env', () => {
  it('refuses gmail mode without its secrets, naming them', () => {
    const site = { SITE_URL: 'https://blog.example.com', SITE_NAME: 'A Blog', MAIL_FROM: 'news@blog.example.com', POSTAL_ADDRESS: '1 Road' };
    expect(() => buildDeliveryDeps({ DB: t.d1, ...site, MAIL_TRANSPORT: 'gmail' })).toThrow(/GMAIL_CLIENT_ID, GMAIL_CLIENT_SECRET, GMAIL_REFRESH_TOKEN/);
    expect(
      buildDeliveryDeps({ DB: t.d1, ...site, MAIL_TRANSPORT: 'gmail', GMAIL_CLIENT_ID: 'i', GMAIL_CLIENT_SECRET: 's', GMAIL_REFRESH_TOKEN: 'r' }).transport
        .name,
    ).not.toBe('dev');
  });

  it('a cron run fans out and sends into the dev outbox, registered with waitUntil and logged', async () => {
    await addReader(t.db, 'reader@example.org');
    await addContent(t.db, { title: 'Cron post', publishDate: new Date(Date.now() - 60_000) });
    const waited: Promise<unknown>[] = [];
    const lines: string[] = [];
    const log = { log: (l: string) => lines.push(l), error: (l: string) => lines.push(l) };
    const env = { DB: t.d1, MAIL_TRANSPORT: 'dev', SITE_URL: 'http://localhost:4321', RATE_PER_MINUTE: '150', DAILY_CAP: '2000' };
    const summary = await handleScheduled({ cron: '*/5 * * * *' }, env, { waitUntil: (p) => waited.push(p) }, log);
    expect(waited).toHaveLength(1);
    expect(summary).toMatchObject({ fannedOut: 1, sent: 1 });
    expect(JSON.parse(lines[0]!)).toMatchObject({ event: 'notifications_processed', cron: '*/5 * * * *', sent: 1 });
    const outbox = await rows<{ to_address: string; subject: string }>(t.d1, 'SELECT to_address, subject FROM dev_mail_outbox');
    expect(outbox).toEqual([{ to_address: 'reader@example.org', subject: 'New post: Cron post' }]);
  });

  it('a failing run is logged and rejects the waitUntil promise', async () => {
    const lines: string[] = [];
    const log = { log: (l: string) => lines.push(l), error: (l: string) => lines.push(l) };
    const waited: Promise<unknown>[] = [];
    const run = handleScheduled({ cron: '*/5 * * * *' }, { DB: t.d1, DIGEST_HOUR_UTC: '99' }, { waitUntil: (p) => waited.push(p) }, log);
    await expect(run).rejects.toThrow(/DIGEST_HOUR_UTC/);
    await expect(waited[0]).rejects.toThrow();
    expect(JSON.parse(lines[0]!)).toMatchObject({ event: 'notifications_failed' });
  });
});
