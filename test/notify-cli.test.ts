/**
 * `npx astro-d1-notify notify` (`npm run notify` here) as a newcomer runs it, on a local D1 state of its own: two runs at once
 * (defect 10: SQLITE_BUSY is retried with backoff and the output says so), the digests that
 * wait for their slot and `--digests-now`.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { drizzle } from 'drizzle-orm/d1';
import { getPlatformProxy } from 'wrangler';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as schema from '../db/schema';
import { applyMigrations, ROOT } from './helpers/d1';
import { addContent, addReader } from './helpers/delivery';

type Run = { code: number | null; stdout: string; stderr: string };

function notify(persist: string, ...args: string[]): Promise<Run> {
  return new Promise((resolve) => {
    const child = spawn(join(ROOT, 'node_modules/.bin/node'), ['integration/cli/bin.mjs', 'notify', '--persist-to', persist, ...args], { cwd: ROOT });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

const summaryOf = (run: Run) => JSON.parse(run.stdout.slice(run.stdout.indexOf('{'), run.stdout.indexOf('\n}') + 2)) as Record<string, number | string | null>;

async function seed(persist: string, readers: { immediate: number; daily: number }) {
  const proxy = await getPlatformProxy<{ DB: D1Database }>({ configPath: join(ROOT, 'wrangler.jsonc'), persist: { path: persist } });
  try {
    await applyMigrations(proxy.env.DB);
    const db = drizzle(proxy.env.DB, { schema });
    for (let i = 0; i < readers.immediate; i++) await addReader(db, `now${i}@example.org`);
    for (let i = 0; i < readers.daily; i++) await addReader(db, `daily${i}@example.org`, { frequency: 'daily' });
    // The CLI runs on the real clock (no --now): the posts were published a day before it.
    for (let i = 0; i < 3; i++) await addContent(db, { publishDate: new Date(Date.now() - 86_400_000) });
  } finally {
    await proxy.dispose();
  }
}

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'notify-cli-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('astro-d1-notify notify', () => {
  it('two runs at once both finish: a busy local D1 is retried, said so, and every email goes out once', async () => {
    const persist = join(dir, 'concurrent');
    await seed(persist, { immediate: 40, daily: 0 });
    const [a, b] = await Promise.all([notify(persist, '--batch-size', '5'), notify(persist, '--batch-size', '5')]);
    for (const run of [a, b]) expect(run.code, run.stderr).toBe(0);
    const sent = Number(summaryOf(a).sent) + Number(summaryOf(b).sent);
    expect(sent).toBe(120);
    const said = `${a.stderr}${b.stderr}`;
    const retries = Number(summaryOf(a).busyRetries) + Number(summaryOf(b).busyRetries);
    // Whenever the lock was met, the output says so (it usually is, with two runs writing at once).
    expect(said.includes('the local D1 is busy')).toBe(retries > 0);
  }, 120_000);

  it('reports digests waiting for their slot, and --digests-now sends them', async () => {
    const persist = join(dir, 'digests');
    await seed(persist, { immediate: 1, daily: 2 });
    const first = await notify(persist);
    expect(first.code, first.stderr).toBe(0);
    const summary = summaryOf(first);
    expect(summary).toMatchObject({ sent: 3, remaining: 0, waitingDigests: 6 });
    expect(Date.parse(String(summary.nextDigestSlotAt))).toBeGreaterThan(Date.now());
    expect(first.stdout).toMatch(/6 digest notification\(s\) wait for their slot.*npx astro-d1-notify notify --digests-now/s);

    const now = await notify(persist, '--digests-now');
    expect(now.code, now.stderr).toBe(0);
    expect(now.stdout).toMatch(/6 waiting digest notification\(s\) made due now/);
    expect(summaryOf(now)).toMatchObject({ sent: 2, waitingDigests: 0, nextDigestSlotAt: null }); // one digest per reader
  }, 120_000);

  it('names the posts held in the console, with who would get them', async () => {
    const persist = join(dir, 'held');
    await seed(persist, { immediate: 2, daily: 1 });
    const proxy = await getPlatformProxy<{ DB: D1Database }>({ configPath: join(ROOT, 'wrangler.jsonc'), persist: { path: persist } });
    let slug: string;
    try {
      const row = await proxy.env.DB.prepare(
        'UPDATE content_items SET delivery_held = 1 WHERE id = (SELECT id FROM content_items ORDER BY slug LIMIT 1) RETURNING slug',
      ).first<{ slug: string }>();
      slug = row!.slug;
    } finally {
      await proxy.dispose();
    }
    const run = await notify(persist);
    expect(run.code, run.stderr).toBe(0);
    const summary = summaryOf(run) as unknown as { sent: number; heldPosts: { slug: string; recipients: Record<string, number> }[] };
    expect(summary.sent).toBe(4); // two immediate readers × the two posts not held
    expect(summary.heldPosts).toEqual([{ slug, title: expect.any(String), recipients: { immediate: 2, daily: 1, weekly: 0 } }]);
    expect(run.stdout).toContain(`1 post(s) held in the console, not sent: ${slug}.`);
  }, 120_000);

  it('names the posts waiting for the author (approval: manual) and the scheduled ones, and sends neither', async () => {
    const persist = join(dir, 'approval');
    await seed(persist, { immediate: 2, daily: 0 });
    const proxy = await getPlatformProxy<{ DB: D1Database }>({ configPath: join(ROOT, 'wrangler.jsonc'), persist: { path: persist } });
    let waiting: { slug: string };
    let scheduled: { slug: string; send_at: number };
    try {
      const d1 = proxy.env.DB;
      const [first, second] = (await d1.prepare('SELECT id, slug FROM content_items ORDER BY slug LIMIT 2').all<{ id: string; slug: string }>()).results;
      waiting = (await d1.prepare('UPDATE content_items SET delivery_held = 1, awaiting_approval = 1 WHERE id = ?1 RETURNING slug').bind(first!.id).first())!;
      // A day after the CLI's clock, which is this process's (a child inherits it, a shifted one too); SQLite's
      // unixepoch() is workerd's clock, which npm run test:clock leaves real, so it cannot date this.
      const tomorrow = Math.floor(Date.now() / 1000) + 86_400;
      scheduled = (await d1.prepare('UPDATE content_items SET send_at = ?2 WHERE id = ?1 RETURNING slug, send_at').bind(second!.id, tomorrow).first())!;
    } finally {
      await proxy.dispose();
    }
    const run = await notify(persist);
    expect(run.code, run.stderr).toBe(0);
    const summary = summaryOf(run) as unknown as {
      sent: number;
      heldPosts: unknown[];
      waitingPosts: { slug: string }[];
      scheduledPosts: { slug: string; sendAt: string }[];
    };
    expect(summary.sent).toBe(2); // the third post only, to its two readers
    expect(summary.heldPosts).toEqual([]);
    expect(summary.waitingPosts).toEqual([{ slug: waiting.slug, title: expect.any(String), recipients: { immediate: 2, daily: 0, weekly: 0 } }]);
    const sendAt = new Date(scheduled.send_at * 1000).toISOString();
    expect(summary.scheduledPosts).toEqual([{ slug: scheduled.slug, title: expect.any(String), recipients: { immediate: 2, daily: 0, weekly: 0 }, sendAt }]);
    expect(run.stdout).toContain(`1 post(s) wait for you to send them (approval: manual): ${waiting.slug}.`);
    expect(run.stdout).toContain(`1 post(s) scheduled: ${scheduled.slug} at ${sendAt}`);
  }, 120_000);
});
