/**
 * test/fixtures/astro-blog-starter (the official Astro blog starter: mdx, rss, sitemap, local
 * fonts) installed by the README: `npm install` of the `npm pack` tarball with the adapter and
 * wrangler, `npx astro-d1-notify migrations --local`, `astro build`, then `wrangler dev` of the
 * build. One install; each `build()` rebuilds with the integration's options and serves it.
 */
import { execFile, spawnSync } from 'node:child_process';
import { promisify } from 'node:util';
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ROOT } from './d1';
import { packRepository } from './starter-site';
import { freePort, startWranglerDev, type WranglerDev } from './wrangler-dev';

const NODE = join(ROOT, 'node_modules/.bin/node');
const version = (pkg: string) => JSON.parse(readFileSync(join(ROOT, 'node_modules', pkg, 'package.json'), 'utf8')).version as string;

export function sh(cwd: string, command: string, args: string[], env: NodeJS.ProcessEnv = {}): string {
  const result = spawnSync(command, args, { cwd, env: { ...process.env, CI: '1', NO_COLOR: '1', ...env }, encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
  if (result.status !== 0) throw new Error(`${command} ${args.join(' ')} failed (${result.status}):\n${result.stdout}\n${result.stderr}`);
  return result.stdout + result.stderr;
}

export type StarterBuild = { baseUrl: string; client: string; buildLog: string; server: WranglerDev };
export type BlogStarter = {
  dir: string;
  migrationsLog: string;
  /** Rebuild with `notify(<options>)` (a JS object literal, '' for none) and serve it; stops the previous server. */
  build: (notifyOptions: string) => Promise<StarterBuild>;
  /** `npx astro-d1-notify notify` with .dev.vars pointing at the served build; its output. */
  notify: () => Promise<string>;
  stop: () => Promise<void>;
};

export async function installBlogStarter(): Promise<BlogStarter> {
  const dir = mkdtempSync(join(tmpdir(), 'astro-blog-starter-'));
  try {
    cpSync(join(ROOT, 'test/fixtures/astro-blog-starter'), dir, { recursive: true });
    const pack = packRepository(dir);
    // The starter's own dependencies at the versions this repository holds (npm's cache has them).
    const pkg = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8'));
    for (const dep of Object.keys(pkg.dependencies)) pkg.dependencies[dep] = version(dep);
    writeFileSync(join(dir, 'package.json'), JSON.stringify(pkg, null, 2));
    // README step 1.
    sh(dir, 'npm', [
      'install',
      '--prefer-offline',
      '--no-audit',
      '--no-fund',
      '--loglevel=error',
      pack.tarball,
      `@astrojs/cloudflare@${version('@astrojs/cloudflare')}`,
      `wrangler@${version('wrangler')}`,
    ]);
    const bin = (tool: string) => join(dir, 'node_modules/.bin', tool);
    // README step 5 (the starter has no migrations folder of its own).
    const migrationsLog = sh(dir, NODE, [bin('astro-d1-notify'), 'migrations', '--local']);
    const config = readFileSync(join(dir, 'astro.config.mjs'), 'utf8');
    let current: StarterBuild | undefined;
    let routeBase = '';

    const build = async (notifyOptions: string): Promise<StarterBuild> => {
      await current?.server.stop();
      current = undefined;
      writeFileSync(join(dir, 'astro.config.mjs'), config.replace('sitemap(), notify()]', `sitemap(), notify(${notifyOptions})]`));
      routeBase = /prefix: '([^']*)'/.exec(notifyOptions)?.[1] ?? '';
      const port = await freePort();
      const baseUrl = `http://127.0.0.1:${port}`;
      const buildLog = sh(dir, NODE, [bin('astro'), 'build'], { SITE_URL: baseUrl });
      const server = await startWranglerDev({ dir, node: NODE, wrangler: bin('wrangler'), persist: join(dir, '.wrangler/state'), port });
      current = { baseUrl, client: join(dir, 'dist/client'), buildLog, server };
      return current;
    };

    // Not spawnSync: a blocked event loop misses wrangler dev closing idle sockets, and the next fetch dies on one.
    const notify = async () => {
      // README step 8 and the variables table: SITE_URL, MAIL_TRANSPORT, and ROUTE_BASE on a site with a prefix.
      writeFileSync(join(dir, '.dev.vars'), `SITE_URL=${current!.baseUrl}\nMAIL_TRANSPORT=dev\n${routeBase ? `ROUTE_BASE=${routeBase}\n` : ''}`);
      const { stdout, stderr } = await promisify(execFile)(NODE, [bin('astro-d1-notify'), 'notify'], {
        cwd: dir,
        env: { ...process.env, CI: '1', NO_COLOR: '1' },
      });
      return stdout + stderr;
    };

    const stop = async () => {
      await current?.server.stop();
      rmSync(dir, { recursive: true, force: true });
    };
    return { dir, migrationsLog, build, notify, stop };
  } catch (error) {
    rmSync(dir, { recursive: true, force: true });
    throw error;
  }
}
