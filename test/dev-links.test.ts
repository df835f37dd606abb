/**
 * `astro dev` on a port other than SITE_URL's (Astro moves to the next port when 4321 is taken):
 * the confirmation email's link must lead to the server that sent it. The demo's wrangler.jsonc
 * keeps SITE_URL=http://localhost:4321; the dev server answers on a free port, a reader subscribes,
 * and the link in the captured email carries the port the server runs on (integration/server/dev-origin.ts).
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { closeSync, openSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ROOT } from './helpers/d1';
import { freePort, readLogs } from './helpers/wrangler-dev';
import { copyProject, removeProject } from './browser/site';

const NODE = join(ROOT, 'node_modules/.bin/node');
const bin = (tool: string) => join(ROOT, 'node_modules/.bin', tool);

let dir: string;
let child: ChildProcess | undefined;
let baseUrl: string;
let logs: () => string;

async function waitFor<T>(what: string, probe: () => Promise<T | undefined>, ms: number): Promise<T> {
  const until = Date.now() + ms;
  for (;;) {
    const value = await probe().catch(() => undefined);
    if (value !== undefined) return value;
    if (Date.now() > until) throw new Error(`${what} did not happen in ${ms} ms:\n${logs?.()}`);
    await new Promise((r) => setTimeout(r, 500));
  }
}

beforeAll(async () => {
  dir = copyProject();
  const migrate = spawnSync(NODE, [bin('wrangler'), 'd1', 'migrations', 'apply', 'DB', '--local'], {
    cwd: dir,
    env: { ...process.env, CI: '1' },
    encoding: 'utf8',
  });
  if (migrate.status !== 0) throw new Error(`migrations failed: ${migrate.stderr}`);
  const port = await freePort();
  baseUrl = `http://localhost:${port}`;
  const logFile = join(dir, 'astro-dev.log');
  const log = openSync(logFile, 'a');
  logs = readLogs(logFile);
  child = spawn(NODE, [bin('astro'), 'dev', '--port', String(port), '--host', 'localhost'], {
    cwd: dir,
    env: { ...process.env, CI: '1' },
    stdio: ['ignore', log, log],
    detached: true,
  });
  closeSync(log);
  await waitFor('astro dev answering', async () => ((await fetch(`${baseUrl}/subscribe`)).status === 200 ? true : undefined), 150_000);
}, 180_000);

afterAll(async () => {
  if (child?.pid) {
    try {
      process.kill(-child.pid, 'SIGTERM'); // the dev server and the workerd it started
    } catch {
      // already gone
    }
    await new Promise((r) => setTimeout(r, 1000));
  }
  if (dir) removeProject(dir);
});

describe('astro dev on another port', () => {
  it('emails links to the port the server runs on, not SITE_URL’s 4321', async () => {
    expect(baseUrl).not.toContain(':4321');
    const email = 'port-follower@example.com';
    const subscribed = await fetch(`${baseUrl}/subscribe`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', origin: baseUrl },
      body: new URLSearchParams({ email, contentTypes: 'blog', frequency: 'immediate' }),
      redirect: 'manual',
    });
    expect(subscribed.status, logs()).toBeLessThan(400);
    const id = await waitFor(
      'the confirmation email',
      async () => {
        const list = await (await fetch(`${baseUrl}/dev/mail?to=${encodeURIComponent(email)}`)).text();
        return /data-testid="mail-link" href="[^"]*\/dev\/mail\/([\w-]+)"/.exec(list)?.[1];
      },
      60_000,
    );
    const raw = await (await fetch(`${baseUrl}/dev/mail/${id}/raw`)).text();
    const unfolded = raw.replace(/=\r?\n/g, '').replace(/=3D/g, '=');
    const links = [...unfolded.matchAll(/https?:\/\/(?:localhost|127\.0\.0\.1):\d+\/verify\?token=[\w-]+/g)].map((m) => m[0]);
    expect(links.length, unfolded.slice(0, 2000)).toBeGreaterThan(0);
    for (const link of links) expect(new URL(link).origin).toBe(baseUrl);
    const opened = await fetch(links[0]!);
    expect(opened.status).toBe(200); // the link reaches this server
  }, 120_000);
});
