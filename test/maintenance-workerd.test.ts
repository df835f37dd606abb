// The weekly maintenance cron (integration/delivery/weekly-maintenance.ts) bundled for Workers and run
// in workerd on a D1 binding: archival and the integrity check, and the alert when one fails.
import { resolve } from 'node:path';
import { convertV4MiniflareOptions, Miniflare } from 'miniflare';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { bundleForWorkerd } from './helpers/workerd-bundle';
import { monthsBefore } from '../db/content/archive';
import { applyMigrations } from './helpers/d1';
import { seedHistoryStatement } from './helpers/history';

let mf: Miniflare | undefined;
let d1: D1Database;
const NOW = new Date('2026-11-29T03:47:00Z');

beforeAll(async () => {
  const bundleText = await bundleForWorkerd(resolve(import.meta.dirname, 'fixtures/workerd-maintenance/worker.ts'));
  mf = new Miniflare(
    convertV4MiniflareOptions({
      modules: true,
      script: bundleText,
      compatibilityDate: '2026-10-01',
      d1Databases: ['DB'],
      bindings: {
        ADMIN_EMAIL: 'author@example.com',
        SITE_URL: 'https://blog.example.com',
        SITE_NAME: 'Plain Words',
        MAIL_FROM: 'Plain Words <news@example.com>',
        POSTAL_ADDRESS: '1 Example Street, Example City',
        MAIL_TRANSPORT: 'resend', // the worker hands the alert its own transport
        RESEND_API_KEY: 're_test_key_never_sent',
      },
    }),
  );
  d1 = await mf.getD1Database('DB');
  await applyMigrations(d1);
}, 60_000);

afterAll(async () => mf?.dispose());

it('archives old history and checks integrity inside workerd, mailing the author about a problem', async () => {
  await d1.prepare("INSERT INTO users (id, email) VALUES ('u1', 'reader@example.com'), ('u2', 'no-at-sign')").run();
  const seed = seedHistoryStatement({ count: 1_200, userId: 'u1', prefix: 'old', start: monthsBefore(NOW, 9), step: 60 });
  await d1
    .prepare(seed.sql)
    .bind(...seed.params)
    .run();

  const response = await mf!.dispatchFetch(`http://worker/?now=${NOW.toISOString()}`);
  const body = (await response.json()) as {
    run: { archive: { moved: number; batches: number }; integrity: { ok: boolean; alert: string; report: { storageCheck: string } } };
    sent: { to: string; raw: string }[];
  };
  expect(body.run.archive).toMatchObject({ moved: 1_200, batches: 2 });
  expect(body.run.integrity).toMatchObject({ ok: false, alert: 'sent', report: { storageCheck: 'quick_check' } });
  expect(body.sent.map((m) => m.to)).toEqual(['author@example.com']);
  expect(body.sent[0]!.raw).toContain('FAIL invalid_emails');
  const counts = await d1
    .prepare('SELECT (SELECT count(*) FROM email_notification_history) AS history, (SELECT count(*) FROM email_notification_history_archive) AS archive')
    .first();
  expect(counts).toEqual({ history: 0, archive: 1_200 });
});
