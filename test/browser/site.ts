/**
 * The built site on local workerd for the browser tests. The project is copied to a
 * temporary directory (node_modules linked), so the build never touches the shared dist/
 * or .wrangler/: migrations go into the copy's fresh local D1, `astro build` runs there
 * (the integration's content registration registers the posts in that same D1), then `wrangler dev`
 * serves the build on a free port with MAIL_TRANSPORT=dev. The tests read and write the
 * same D1 through wrangler's platform proxy.
 */
import { spawnSync } from 'node:child_process';
import { cpSync, mkdtempSync, rmSync, symlinkSync, unlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative, sep } from 'node:path';
import { inject } from 'vitest';
import { getPlatformProxy } from 'wrangler';
import { createDb, type Db } from '../../db/client';
import { ROOT } from '../helpers/d1';
import { patientD1 } from './patient-d1';
import { freePort, readLogs, startWranglerDev, type WranglerDev } from '../helpers/wrangler-dev';

const NODE = join(ROOT, 'node_modules/.bin/node');
const bin = (tool: string) => join(ROOT, 'node_modules/.bin', tool);

export type Site = { baseUrl: string; db: Db; logs: () => string; stop: () => Promise<void> };

/** The webhook settings the test site runs with (SES_SNS_TOPIC_ARNS stays unset: that route answers 503). */
export const SITE_WEBHOOK_SECRETS = {
  resend: `whsec_${Buffer.from('site-test-resend-key-0123456789').toString('base64')}`,
  postmarkUser: 'pm-site-user',
  postmarkPassword: 'pm-site-password',
} as const;

/** Top-level entries that are not part of a fresh clone's sources. */
const NOT_COPIED = new Set(['node_modules', '.git', 'dist', '.wrangler', '.astro', 'test/artifacts', 'bench/results']);

export function copyProject(): string {
  const dir = mkdtempSync(join(tmpdir(), 'reader-site-'));
  cpSync(ROOT, dir, {
    recursive: true,
    filter: (source) => {
      const rel = relative(ROOT, source).split(sep).join('/');
      return !NOT_COPIED.has(rel) && !rel.endsWith('.log');
    },
  });
  symlinkSync(join(ROOT, 'node_modules'), join(dir, 'node_modules'), 'dir');
  return dir;
}

/** Removes the copy; the node_modules link goes first so nothing can ever follow it. */
export function removeProject(dir: string): void {
  try {
    unlinkSync(join(dir, 'node_modules'));
  } catch {
    // not there
  }
  rmSync(dir, { recursive: true, force: true });
}

function run(cwd: string, args: string[], env: NodeJS.ProcessEnv = {}): void {
  const result = spawnSync(NODE, args, { cwd, env: { ...process.env, CI: '1', ...env }, encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
  if (result.status !== 0) throw new Error(`${args.slice(0, 3).join(' ')} failed (${result.status}):\n${result.stdout}\n${result.stderr}`);
}

/** Where a running site lives; vitest's globalSetup hands this to every browser test file. */
export type SiteInfo = { baseUrl: string; project: string; persist: string; logFile: string };

declare module 'vitest' {
  interface ProvidedContext {
    readerSite: SiteInfo;
  }
}

/**
 * Copies, migrates, builds and serves the project; `stop` ends the server and removes the copy.
 * `buildEnv` reaches astro.config.mjs (e.g. NOTIFY_LOCALE=de for the demo in German).
 */
export async function launchSite(buildEnv: NodeJS.ProcessEnv = {}): Promise<SiteInfo & { stop: () => Promise<void> }> {
  const project = copyProject();
  const persist = join(project, '.wrangler/state'); // where the content registration writes by default
  try {
    run(project, [bin('wrangler'), 'd1', 'migrations', 'apply', 'DB', '--local', '--persist-to', persist]);
    run(project, [bin('astro'), 'build'], buildEnv);
  } catch (error) {
    removeProject(project);
    throw error;
  }

  let server: WranglerDev;
  try {
    server = await startWranglerDev({
      dir: project,
      node: NODE,
      wrangler: bin('wrangler'),
      persist,
      port: await freePort(),
      vars: {
        ADMIN_DEV_BYPASS: '1', // the author console's loopback dev bypass (integration/server/admin/gate.ts)
        // Unpaced: one server serves every file in turn, and the console's 1,000-reader import with the
        // test's own runs fills Gmail's 150 a minute and 2,000 a day (the dev transport's default), after
        // which a later file's confirmation mail waits for a cron that wrangler dev never fires. Pacing
        // has its own tests (test/delivery-pacing*.test.ts).
        RATE_PER_MINUTE: '0',
        DAILY_CAP: '0',
        // Webhook credentials for test/browser/webhooks.test.ts (test values, not secrets).
        RESEND_WEBHOOK_SECRET: SITE_WEBHOOK_SECRETS.resend,
        POSTMARK_WEBHOOK_USER: SITE_WEBHOOK_SECRETS.postmarkUser,
        POSTMARK_WEBHOOK_PASSWORD: SITE_WEBHOOK_SECRETS.postmarkPassword,
      },
    });
  } catch (error) {
    removeProject(project);
    throw error;
  }
  const { baseUrl, logFile } = server;
  const stop = async () => {
    await server.stop();
    removeProject(project);
  };
  return { baseUrl, project, persist, logFile, stop };
}

/** D1 of a running site, through wrangler's platform proxy on the same local state. */
async function connectSite(info: SiteInfo, stopServer: () => Promise<void>): Promise<Site> {
  const proxy = await getPlatformProxy<{ DB: D1Database }>({
    configPath: join(info.project, 'wrangler.jsonc'),
    persist: { path: join(info.persist, 'v3') }, // wrangler's --persist-to adds v3/
  });
  return {
    baseUrl: info.baseUrl,
    db: createDb(patientD1(proxy.env.DB)),
    logs: readLogs(info.logFile),
    stop: async () => {
      await proxy.dispose().catch(() => undefined);
      await stopServer();
    },
  };
}

/**
 * The site for a test file: the one vitest's globalSetup started for the whole run (one
 * build, one server), or, when run without it, a site of its own.
 */
export async function startSite(buildEnv?: NodeJS.ProcessEnv): Promise<Site> {
  const shared = buildEnv ? undefined : inject('readerSite');
  if (shared) return connectSite(shared, async () => undefined);
  const own = await launchSite(buildEnv);
  return connectSite(own, own.stop);
}
