/**
 * The queue-mode fixture Worker (test/fixtures/workerd-queue/worker.ts) bundled with esbuild and
 * run in workerd by Miniflare with a real D1 and real Miniflare Queues: a delivery queue with its
 * dead-letter queue, as docs/delivery.md "Delivery at scale" configures them. Shared by the tests and the bench.
 */
import { resolve } from 'node:path';
import { bundleForWorkerd } from './workerd-bundle';
import { convertV4MiniflareOptions, Miniflare } from 'miniflare';
import { createDb, type Db } from '../../db/client';
import { applyMigrations } from './d1';

export const QUEUE = 'notify-delivery';
export const DLQ = 'notify-delivery-dlq';

export type QueueWorkerOptions = {
  settings?: Record<string, string>;
  maxBatchSize?: number;
  maxRetries?: number;
  /** Queue names (README's by default): a host may call its queues anything. */
  queue?: string;
  dlq?: string;
};

export type QueueWorker = {
  mf: Miniflare;
  d1: D1Database;
  db: Db;
  call: <T = unknown>(path: string, body?: unknown) => Promise<T>;
  dispose: () => Promise<void>;
};

export async function bundleQueueWorker(): Promise<string> {
  return bundleForWorkerd(resolve(import.meta.dirname, '../fixtures/workerd-queue/worker.ts'));
}

export async function startQueueWorker(options: QueueWorkerOptions = {}): Promise<QueueWorker> {
  const script = await bundleQueueWorker();
  // miniflare 5 (the beta wrangler 4.151 pins) takes `workers: [...]`; the converter accepts the classic shape.
  const mf = new Miniflare(
    convertV4MiniflareOptions({
      modules: true,
      script,
      compatibilityDate: '2026-10-01',
      d1Databases: { DB: 'queue-delivery-db' },
      queueProducers: { DELIVERY_QUEUE: { queueName: options.queue ?? QUEUE } },
      queueConsumers: {
        [options.queue ?? QUEUE]: {
          maxBatchSize: options.maxBatchSize ?? 10,
          maxBatchTimeout: 0,
          maxRetries: options.maxRetries ?? 10,
          deadLetterQueue: options.dlq ?? DLQ,
        },
        [options.dlq ?? DLQ]: { maxBatchSize: 100, maxBatchTimeout: 0 },
      },
      bindings: {
        DELIVERY_MODE: 'queue',
        SITE_URL: 'https://blog.example.com',
        SITE_NAME: 'Plain Words',
        MAIL_FROM: 'Plain Words <news@example.com>',
        POSTAL_ADDRESS: '1 Example Street, Example City',
        MAIL_TRANSPORT: 'resend', // the worker hands the processor its own transport; a public SITE_URL has no default
        RESEND_API_KEY: 're_test_key_never_sent',
        RATE_PER_MINUTE: '0',
        DAILY_CAP: '0',
        ...options.settings,
      },
    } as Parameters<typeof convertV4MiniflareOptions>[0]),
  );
  await mf.ready;
  const d1 = (await mf.getD1Database('DB')) as unknown as D1Database;
  await applyMigrations(d1);
  const call = async <T>(path: string, body?: unknown): Promise<T> => {
    const response = await mf.dispatchFetch(`http://worker${path}`, body === undefined ? {} : { method: 'POST', body: JSON.stringify(body) });
    const text = await response.text();
    if (!response.ok) throw new Error(`${path}: ${response.status} ${text.slice(0, 500)}`);
    return JSON.parse(text) as T;
  };
  // One clock: the worker's product clock follows this process's (they differ only under `npm run test:clock`).
  await call('/offset', { nodeNow: Date.now() });
  return { mf, d1, db: createDb(d1), call, dispose: () => mf.dispose() };
}

/** `count` verified immediate blog readers with ids that sort in creation order, in one statement. */
export async function seedReaders(d1: D1Database, count: number, prefix = 'r'): Promise<void> {
  await d1
    .prepare(
      `WITH RECURSIVE seq(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM seq WHERE n < ?1)
       INSERT INTO users (id, email, email_blog_updates, email_verified, email_status, email_frequency, unsubscribe_all)
       SELECT ?2 || printf('%08d', n), ?2 || n || '@readers.test', 1, 1, 'active', 'immediate', 0 FROM seq`,
    )
    .bind(count, prefix)
    .run();
}

/** Polls `check` until it returns a value or `timeoutMs` passes. */
export async function waitFor<T>(check: () => Promise<T | undefined>, timeoutMs: number, intervalMs = 100): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, intervalMs));
  }
}
