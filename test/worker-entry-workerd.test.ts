// The host's Worker entry (integration/worker.ts, what `export { default } from 'astro-d1-notify/worker'`
// exports) bundled for workerd and run by Miniflare on a real D1: which Cron Trigger runs what, and which
// queue's messages go where, each told by what it does to D1. Only what a real build provides is stood
// in for: Astro's server entry (fetch is not under test here) and the integration's virtual config
// module, made by the same configModule() the Vite plugin serves; workerd itself provides
// `cloudflare:workers`. The D1 binding is named NEWS_DB (the `binding` option), as a host may name it.
//
// Dates: the product runs on workerd's clock; what the tests seed is either dated by D1 itself
// (unixepoch()) or years away from any clock (1970, 2000, 2100), so no outcome depends on when it runs.
import { resolve } from 'node:path';
import type { Plugin } from 'esbuild';
import { convertV4MiniflareOptions, Miniflare } from 'miniflare';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { configModule } from '../integration/vite-plugin';
import { HOUSEKEEPING_CRON } from '../integration/delivery/housekeeping';
import { MAINTENANCE_CRON } from '../integration/delivery/weekly-maintenance';
import { applyMigrations } from './helpers/d1';
import { seedHistoryStatement } from './helpers/history';
import { waitFor } from './helpers/queue-worker';
import { bundleForWorkerd } from './helpers/workerd-bundle';

const DELIVERY_QUEUE = 'host-delivery';
const DEAD_LETTER_QUEUE = 'host-delivery-dlq';
const DELIVERY_CRON = '*/5 * * * *'; // wrangler.jsonc's third trigger: any cron but the two named ones runs the processor
const OLD_HISTORY_ROWS = 40;

/** Astro's server entry and the build's config module: the two things only `astro build` makes. */
const buildStandIns: Plugin = {
  name: 'build-stand-ins',
  setup(build) {
    build.onResolve({ filter: /^@astrojs\/cloudflare\/entrypoints\/server$|^virtual:astro-d1-notify\/config$/ }, (args) => ({
      path: args.path,
      namespace: 'stand-in',
    }));
    build.onLoad({ filter: /.*/, namespace: 'stand-in' }, (args) => ({
      loader: 'js',
      contents: args.path.startsWith('virtual:')
        ? configModule({
            routeBase: '',
            siteBase: '',
            siteName: 'Host Site',
            binding: 'NEWS_DB',
            ownRoutes: [],
            devServer: false,
            originPolicy: { hostCheckOrigin: true, hostExempt: [] },
            localeSettings: { defaultLocale: 'en', locales: ['en'] },
            messages: {},
          })
        : "export default { fetch: () => new Response('astro', { status: 200 }) };",
    }));
  },
};

let mf: Miniflare | undefined;
let d1: D1Database;
let worker: Awaited<ReturnType<Miniflare['getWorker']>>;

beforeAll(async () => {
  const script = await bundleForWorkerd(resolve(import.meta.dirname, '../integration/worker.ts'), {
    plugins: [buildStandIns],
    external: ['cloudflare:workers'],
  });
  mf = new Miniflare(
    convertV4MiniflareOptions({
      modules: true,
      script,
      compatibilityDate: '2026-10-01',
      d1Databases: { NEWS_DB: 'worker-entry-db' },
      bindings: {
        SITE_URL: 'http://127.0.0.1:4321', // loopback: the dev capture (dev_mail_outbox) is the transport
        SITE_NAME: 'Host Site',
        MAIL_FROM: 'Host <hello@host.example>',
        POSTAL_ADDRESS: 'Host, 3 Sample Road',
        MAIL_TRANSPORT: 'dev',
        DELIVERY_QUEUE_NAME: DELIVERY_QUEUE,
        DELIVERY_DLQ_NAME: DEAD_LETTER_QUEUE,
      },
    } as Parameters<typeof convertV4MiniflareOptions>[0]),
  );
  d1 = (await mf.getD1Database('NEWS_DB')) as unknown as D1Database;
  await applyMigrations(d1);
  worker = await mf.getWorker();
  const history = seedHistoryStatement({ count: OLD_HISTORY_ROWS, userId: 'u1', prefix: 'old', start: Date.UTC(2000, 0, 1) / 1000, step: 60 });
  await d1.batch([
    d1.prepare("INSERT INTO users (id, email, email_verified, email_blog_updates) VALUES ('u1', 'ann@example.org', 1, 1), ('u2', 'bo@example.org', 1, 1)"),
    d1.prepare("INSERT INTO sessions (id, user_id, expires_at) VALUES ('s-expired', 'u1', 1), ('s-live', 'u1', ?1)").bind(Date.UTC(2100, 0, 1) / 1000),
    d1.prepare(history.sql).bind(...history.params),
  ]);
  await pending('n-cron', 'u1');
}, 120_000);

afterAll(async () => mf?.dispose());

/** A queued account email (as db/delivery/notifications.ts queueSystemNotification writes one), dated by D1. */
async function pending(id: string, userId: string): Promise<void> {
  await d1
    .prepare(
      `INSERT INTO email_notifications (id, user_id, content_type, content_id, content_title, content_url, notification_type, status, created_at)
       VALUES (?1, ?2, 'system', 'verify:' || ?1, 'Confirm your subscription', 'http://127.0.0.1:4321/verify?token=' || ?1, 'verification', 'pending', unixepoch())`,
    )
    .bind(id, userId)
    .run();
}

const statusOf = async (id: string) => (await d1.prepare('SELECT status FROM email_notifications WHERE id = ?1').bind(id).first<{ status: string }>())?.status;
const one = async (sql: string) => (await d1.prepare(sql).first<{ n: number }>())?.n;
const sessions = async () => (await d1.prepare('SELECT id FROM sessions ORDER BY id').all<{ id: string }>()).results.map((r) => r.id);
const mailTo = async () =>
  (await d1.prepare('SELECT to_address FROM dev_mail_outbox ORDER BY to_address').all<{ to_address: string }>()).results.map((r) => r.to_address);
const message = (id: string, body: unknown) => ({ id, timestamp: new Date(Date.UTC(2000, 0, 1)), attempts: 1, body }); // the product does not read it

describe('the Cron Triggers: each cron string runs its own job and nothing else', () => {
  it(`${HOUSEKEEPING_CRON} runs the daily housekeeping: expired sessions go, live ones stay, no mail is sent, no history is archived`, async () => {
    await worker.scheduled({ cron: HOUSEKEEPING_CRON });
    expect(await waitFor(async () => ((await sessions()).length === 1 ? sessions() : undefined), 10_000)).toEqual(['s-live']);
    expect(await statusOf('n-cron')).toBe('pending');
    expect(await one('SELECT count(*) AS n FROM email_notification_history')).toBe(OLD_HISTORY_ROWS);
  });

  it(`${MAINTENANCE_CRON} runs the weekly maintenance: old history moves to the archive, no mail is sent`, async () => {
    await worker.scheduled({ cron: MAINTENANCE_CRON });
    expect(
      await waitFor(async () => ((await one('SELECT count(*) AS n FROM email_notification_history_archive')) === OLD_HISTORY_ROWS ? true : undefined), 10_000),
    ).toBe(true);
    expect(await one('SELECT count(*) AS n FROM email_notification_history')).toBe(0);
    expect(await statusOf('n-cron')).toBe('pending');
    expect(await mailTo()).toEqual([]);
  });

  it(`any other cron (${DELIVERY_CRON}) runs the processor: the queued email is sent; housekeeping does not run`, async () => {
    await d1.prepare("INSERT INTO sessions (id, user_id, expires_at) VALUES ('s-expired-2', 'u1', 1)").run();
    const result = await worker.scheduled({ cron: DELIVERY_CRON });
    expect(result.outcome).toBe('ok');
    expect(await statusOf('n-cron')).toBe('sent');
    expect(await mailTo()).toEqual(['ann@example.org']);
    expect(await sessions()).toEqual(['s-expired-2', 's-live']);
  });
});

describe('the queue handler: each message goes where its queue and shape say', () => {
  it('a delivery message on DELIVERY_QUEUE_NAME is sent and acked', async () => {
    await pending('n-queue', 'u2');
    const result = await worker.queue(DELIVERY_QUEUE, [message('m1', { kind: 'delivery', ids: ['n-queue'] })]);
    expect(result.outcome).toBe('ok');
    expect(result.retryMessages).toEqual([]);
    expect(await statusOf('n-queue')).toBe('sent');
    expect(await mailTo()).toEqual(['ann@example.org', 'bo@example.org']);
  });

  it('a delivery message on DELIVERY_DLQ_NAME marks its rows failed and sends nothing', async () => {
    await pending('n-dead', 'u2');
    const result = await worker.queue(DEAD_LETTER_QUEUE, [message('m2', { kind: 'delivery', ids: ['n-dead'] })]);
    expect(result.outcome).toBe('ok');
    expect(result.retryMessages).toEqual([]);
    expect(await statusOf('n-dead')).toBe('failed');
    expect(await mailTo()).toEqual(['ann@example.org', 'bo@example.org']);
  });

  it('a Cloudflare Email Service event is applied whatever queue it came on', async () => {
    const bounce = {
      type: 'cf.email.sending.message.bounced',
      source: { type: 'email.sending', zoneId: '023e105f4ecef8ad9ca31a8372d0c353', domain: 'send.example.com' },
      payload: {
        eventId: 'evt-1',
        messageId: 'msg-1',
        sender: 'hello@host.example',
        recipient: 'bo@example.org',
        subject: 'Confirm',
        terminal: true,
        bounce: { type: 'hard' },
      },
      metadata: {
        accountId: 'f9f79265f388666de8122cfb508d7776',
        eventSubscriptionId: '1830c4bb612e43c3af7f4cada31fbf3f',
        eventSchemaVersion: 1,
        eventTimestamp: '2000-01-01T00:00:00.000Z',
      },
    };
    const result = await worker.queue('email-events', [message('m3', bounce)]);
    expect(result.outcome).toBe('ok');
    expect(result.retryMessages).toEqual([]);
    expect(await one("SELECT count(*) AS n FROM provider_events WHERE provider = 'cloudflare' AND event_id = 'evt-1'")).toBe(1);
    expect(await one("SELECT count(*) AS n FROM users WHERE id = 'u2' AND email_status = 'bounced'")).toBe(1);
  });

  it('a message that is neither, on any queue, is refused: retried, never acked, nothing written', async () => {
    const before = await one('SELECT (SELECT count(*) FROM provider_events) + (SELECT count(*) FROM dev_mail_outbox) AS n');
    const result = await worker.queue('an-unknown-queue', [message('m4', { hello: 'world' })]);
    expect(result.retryMessages).toEqual([{ msgId: 'm4' }]);
    expect(result.explicitAcks).toEqual([]);
    expect(await one('SELECT (SELECT count(*) FROM provider_events) + (SELECT count(*) FROM dev_mail_outbox) AS n')).toBe(before);
  });

  it('a delivery message on a queue of another name is still sent (routed by its shape)', async () => {
    await pending('n-other', 'u1');
    const result = await worker.queue('an-unknown-queue', [message('m5', { kind: 'delivery', ids: ['n-other'] })]);
    expect(result.outcome).toBe('ok');
    expect(await statusOf('n-other')).toBe('sent');
  });
});
