/**
 * A built site served by `wrangler dev` on a free loopback port, for the browser tests
 * (test/browser/site.ts: the demo blog; test/helpers/starter-site.ts: the tarball install).
 */
import { spawn } from 'node:child_process';
import { closeSync, openSync, readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

export const readLogs = (logFile: string) => (): string => {
  try {
    return readFileSync(logFile, 'utf8').slice(-20_000);
  } catch {
    return '';
  }
};

export type WranglerDev = { baseUrl: string; logFile: string; logs: () => string; stop: () => Promise<void> };

/**
 * Serves `dir`'s build (dist/server/wrangler.json) on `port` with MAIL_TRANSPORT=dev, SITE_URL
 * set to its own address and `vars`, and resolves once `readyPath` answers below 500 (90 s at most).
 */
export async function startWranglerDev(options: {
  dir: string;
  node: string;
  wrangler: string;
  persist: string;
  port: number;
  vars?: Record<string, string>;
  readyPath?: string;
}): Promise<WranglerDev> {
  const { dir, port } = options;
  const baseUrl = `http://127.0.0.1:${port}`;
  const vars = { MAIL_TRANSPORT: 'dev', SITE_URL: baseUrl, ...options.vars };
  const logFile = join(dir, 'wrangler-dev.log');
  const log = openSync(logFile, 'a');
  const child = spawn(
    options.node,
    [
      options.wrangler,
      'dev',
      '-c',
      join(dir, 'dist/server/wrangler.json'),
      '--ip',
      '127.0.0.1',
      '--port',
      String(port),
      '--inspector-port',
      String(await freePort()),
      '--persist-to',
      options.persist,
      ...Object.entries(vars).flatMap(([name, value]) => ['--var', `${name}:${value}`]),
      '--show-interactive-dev-session=false',
      '--log-level',
      'warn',
    ],
    { cwd: dir, env: { ...process.env, CI: '1', NO_COLOR: '1' }, stdio: ['ignore', log, log], detached: true },
  );
  closeSync(log);
  const logs = readLogs(logFile);

  const stop = async () => {
    if (child.exitCode !== null) return;
    const exited = new Promise((r) => child.once('exit', r));
    try {
      process.kill(-child.pid!, 'SIGTERM'); // the whole group: wrangler and its workerd
    } catch {
      // already gone
    }
    await Promise.race([exited, new Promise((r) => setTimeout(r, 5000))]);
    try {
      process.kill(-child.pid!, 'SIGKILL');
    } catch {
      // already gone
    }
  };

  const deadline = Date.now() + 90_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`wrangler dev exited with ${child.exitCode}:\n${logs()}`);
    try {
      const response = await fetch(`${baseUrl}${options.readyPath ?? '/'}`, { signal: AbortSignal.timeout(2000) });
      if (response.status < 500) return { baseUrl, logFile, logs, stop };
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) {
      await stop();
      throw new Error(`the site did not answer at ${baseUrl} within 90 s:\n${logs()}`);
    }
    await new Promise((r) => setTimeout(r, 250));
  }
}
