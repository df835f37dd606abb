/**
 * Copies the package's SQL migrations into a host's own migrations folder without clashing with
 * its numbers: each file becomes `<next number>_astro_d1_notify_<original name>.sql`, numbered
 * after the host's highest, in the package's order. Files copied before (recognised by the
 * embedded original name) are skipped, so running it again after an upgrade copies only new ones.
 * Plain JavaScript: it runs from node_modules with no build step.
 */
import { copyFileSync, existsSync, mkdirSync, readdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export const PACKAGE_MIGRATIONS = fileURLToPath(new URL('../../migrations/', import.meta.url));
const MARK = '_astro_d1_notify_';
const SQL = /^(\d+)_.+\.sql$/;

/** The plan: which package migrations to copy to which names (pure; reads only the two listings). */
export function planMigrations(packageFiles, hostFiles) {
  const ours = packageFiles.filter((f) => SQL.test(f)).sort();
  const copied = new Set(hostFiles.filter((f) => f.includes(MARK)).map((f) => f.slice(f.indexOf(MARK) + MARK.length)));
  let next =
    Math.max(
      0,
      ...hostFiles
        .map((f) => SQL.exec(f))
        .filter(Boolean)
        .map((m) => Number(m[1])),
    ) + 1;
  const width = Math.max(4, ...hostFiles.map((f) => SQL.exec(f)?.[1].length ?? 0));
  const copies = [];
  for (const file of ours) {
    if (copied.has(file)) continue;
    copies.push({ from: file, to: `${String(next++).padStart(width, '0')}${MARK}${file}` });
  }
  return { copies, alreadyCopied: ours.length - copies.length };
}

export function runMigrationsCommand(args, cwd, log) {
  const intoIndex = args.indexOf('--into');
  const into = resolve(cwd, intoIndex >= 0 ? (args[intoIndex + 1] ?? '') : 'migrations');
  const dryRun = args.includes('--dry-run');
  const unknown = args.filter((a, i) => !['--into', '--dry-run'].includes(a) && args[i - 1] !== '--into');
  if (unknown.length > 0 || (intoIndex >= 0 && !args[intoIndex + 1])) {
    log.error(
      `astro-d1-notify migrations: unexpected ${unknown.join(' ') || '--into without a folder'}\n` +
        'usage: npx astro-d1-notify migrations [--into <dir>] [--dry-run]',
    );
    return 2;
  }
  const hostFiles = existsSync(into) ? readdirSync(into) : [];
  const { copies, alreadyCopied } = planMigrations(readdirSync(PACKAGE_MIGRATIONS), hostFiles);
  if (!dryRun && copies.length > 0) mkdirSync(into, { recursive: true });
  for (const { from, to } of copies) {
    if (!dryRun) copyFileSync(join(PACKAGE_MIGRATIONS, from), join(into, to));
    log.log(`${dryRun ? 'would copy' : 'copied'} ${from} -> ${join(into, to)}`);
  }
  log.log(
    `astro-d1-notify: ${copies.length} migration(s) ${dryRun ? 'to copy' : 'copied'}, ${alreadyCopied} already in ${into}. ` +
      'Apply them with: npx wrangler d1 migrations apply DB --local (then --remote)',
  );
  return 0;
}
