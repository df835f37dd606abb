/**
 * Where a command that obtains secrets puts them, so it never has to print them: `.dev.vars`
 * beside the wrangler config (local runs; mode 0600) or the deployed Worker's secrets through
 * `wrangler secret put` (the value goes on its stdin, never on a command line).
 */
import { spawn } from 'node:child_process';
import { chmodSync, existsSync, readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';

/** The wrangler the package resolves (a host's peer dependency). */
export const wranglerBin = (): string => join(dirname(createRequire(import.meta.url).resolve('wrangler/package.json')), 'bin', 'wrangler.js');

/** KEY=value lines of .dev.vars with `values` set (replacing earlier lines of the same keys). */
export function mergeDevVars(text: string, values: Record<string, string>): string {
  const kept = text.split('\n').filter((line) => line.trim() !== '' && !Object.keys(values).some((k) => line.startsWith(`${k}=`)));
  return `${[...kept, ...Object.entries(values).map(([k, v]) => `${k}=${JSON.stringify(v)}`)].join('\n')}\n`;
}

/** Sets `values` in the .dev.vars beside `configPath`; returns its path. */
export function writeDevVars(configPath: string, values: Record<string, string>): string {
  const file = join(dirname(configPath), '.dev.vars');
  const before = existsSync(file) ? readFileSync(file, 'utf8') : '';
  writeFileSync(file, mergeDevVars(before, values), { mode: 0o600 });
  chmodSync(file, 0o600); // also when it existed before: it holds secrets
  return file;
}

/** `wrangler secret put NAME --config …` for each value, one after the other. */
export async function putWorkerSecrets(
  configPath: string,
  values: Record<string, string>,
  env: Record<string, string | undefined>,
  cwd: string,
): Promise<void> {
  for (const [name, value] of Object.entries(values)) {
    const output = await new Promise<{ code: number | null; text: string }>((resolve, reject) => {
      const child = spawn(process.execPath, [wranglerBin(), 'secret', 'put', name, '--config', configPath], {
        cwd,
        env: { ...process.env, ...env },
        stdio: ['pipe', 'pipe', 'pipe'],
      });
      let text = '';
      child.stdout.on('data', (d) => (text += d));
      child.stderr.on('data', (d) => (text += d));
      child.on('error', reject);
      child.on('close', (code) => resolve({ code, text }));
      child.stdin.end(value);
    });
    if (output.code !== 0) {
      const said =
        output.text
          .split('\n')
          .filter((l) => /error|✘|\[ERROR\]/i.test(l))
          .slice(-3)
          .join('\n') || output.text.trim().split('\n').slice(-3).join('\n');
      throw new Error(`wrangler secret put ${name} failed: ${said.split(value).join('[redacted]')}`);
    }
  }
}
