/**
 * Secrets never stay in the build output. The Cloudflare Vite plugin writes the local secrets
 * (`.dev.vars`, `.env`) into `dist/server/.dev.vars` so that `astro preview` can read them; a
 * deploy that uploads `dist/` (an assets directory set to it, a hand-made upload, a CI
 * artifact) would then publish them. After every build we delete every such file under the
 * output directory; `wrangler deploy` never needs them (secrets are `wrangler secret put`).
 */
import { type Dirent, readdirSync, rmSync } from 'node:fs';
import { join, relative } from 'node:path';

/** `.dev.vars`, `.dev.vars.<env>`, `.env`, `.env.<env>`: the files wrangler and Vite read secrets from. */
export const SECRET_FILE = /^\.(dev\.vars|env)(\..+)?$/;

/** Deletes every secrets file under `dir`; returns their paths relative to `dir`. */
export function removeSecretFiles(dir: string): string[] {
  const removed: string[] = [];
  const walk = (current: string) => {
    let entries: Dirent[];
    try {
      entries = readdirSync(current, { withFileTypes: true });
    } catch {
      return; // no output directory: nothing to clean
    }
    for (const entry of entries) {
      const path = join(current, entry.name);
      if (entry.isDirectory()) walk(path);
      else if (SECRET_FILE.test(entry.name)) {
        rmSync(path, { force: true });
        removed.push(relative(dir, path));
      }
    }
  };
  walk(dir);
  return removed;
}
