/**
 * test/fixtures/starter-site installed the way a stranger would: `npm pack` of this repository,
 * `npm install` of the tarball (plus astro, the adapter and wrangler) into a temporary directory,
 * `npx astro-d1-notify migrations` into the site's own migrations folder, `astro build`, then
 * `wrangler dev` of the build on a free port.
 */
import { spawnSync } from 'node:child_process';
import { cpSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ROOT } from './d1';
import { freePort, startWranglerDev } from './wrangler-dev';

const NODE = join(ROOT, 'node_modules/.bin/node');
const version = (pkg: string) => JSON.parse(readFileSync(join(ROOT, 'node_modules', pkg, 'package.json'), 'utf8')).version as string;

export type PackInfo = { tarball: string; size: number; unpackedSize: number; files: string[] };

function sh(cwd: string, command: string, args: string[], env: NodeJS.ProcessEnv = {}): string {
  const result = spawnSync(command, args, { cwd, env: { ...process.env, CI: '1', NO_COLOR: '1', ...env }, encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
  if (result.status !== 0) throw new Error(`${command} ${args.join(' ')} failed (${result.status}):\n${result.stdout}\n${result.stderr}`);
  return result.stdout;
}

/** `npm pack` of the repository into `dir`. */
export function packRepository(dir: string): PackInfo {
  const [info] = JSON.parse(sh(ROOT, 'npm', ['pack', '--json', '--pack-destination', dir])) as {
    filename: string;
    size: number;
    unpackedSize: number;
    files: { path: string }[];
  }[];
  return { tarball: join(dir, info!.filename), size: info!.size, unpackedSize: info!.unpackedSize, files: info!.files.map((f) => f.path) };
}

export type StarterSite = {
  dir: string;
  baseUrl: string;
  pack: PackInfo;
  migrationsCopied: string[];
  buildLog: string;
  logs: () => string;
  stop: () => Promise<void>;
};

export async function launchStarterSite(): Promise<StarterSite> {
  const dir = mkdtempSync(join(tmpdir(), 'starter-site-'));
  cpSync(join(ROOT, 'test/fixtures/starter-site'), dir, { recursive: true });
  const pack = packRepository(dir);
  const pkg = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8'));
  pkg.dependencies = {
    'astro-d1-notify': `file:${pack.tarball}`,
    astro: version('astro'),
    '@astrojs/cloudflare': version('@astrojs/cloudflare'),
    wrangler: version('wrangler'),
  };
  writeFileSync(join(dir, 'package.json'), JSON.stringify(pkg, null, 2));
  // The registry packages come from npm's cache, which `npm ci` of this repository filled.
  sh(dir, 'npm', ['install', '--prefer-offline', '--no-audit', '--no-fund', '--loglevel=error']);
  const bin = (tool: string) => join(dir, 'node_modules/.bin', tool);
  const before = new Set(readdirSync(join(dir, 'migrations')));
  sh(dir, NODE, [bin('astro-d1-notify'), 'migrations']);
  const migrationsCopied = readdirSync(join(dir, 'migrations'))
    .filter((f) => !before.has(f))
    .sort();
  const persist = join(dir, '.wrangler/state');
  sh(dir, NODE, [bin('wrangler'), 'd1', 'migrations', 'apply', 'DB', '--local', '--persist-to', persist]);
  const port = await freePort();
  const baseUrl = `http://127.0.0.1:${port}`;
  const buildLog = sh(dir, NODE, [bin('astro'), 'build'], { SITE_URL: baseUrl });

  const server = await startWranglerDev({ dir, node: NODE, wrangler: bin('wrangler'), persist, port, readyPath: '/journal/' }).catch((error: unknown) => {
    rmSync(dir, { recursive: true, force: true });
    throw error;
  });
  const { logs } = server;
  const stop = async () => {
    await server.stop();
    rmSync(dir, { recursive: true, force: true });
  };
  return { dir, baseUrl, pack, migrationsCopied, buildLog, logs, stop };
}
