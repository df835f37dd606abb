/**
 * The documentation stays true to the code: every variable the code reads is in the README's
 * one variables table, every `npx astro-d1-notify <command>` named anywhere is a real command,
 * every relative link and image resolves (anchors included), and the README stays the short
 * page an author reads, ending with this repository's two commands.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';
import { COMMANDS } from '../integration/cli/commands.mjs';
import { SETTINGS_SHAPE } from '../integration/delivery/config';
import { ROOT } from './helpers/d1';

const DOCS = [
  'README.md',
  'CONTRIBUTING.md',
  'ARCHITECTURE.md',
  ...readdirSync(join(ROOT, 'docs'))
    .filter((f) => f.endsWith('.md'))
    .map((f) => `docs/${f}`),
];
const read = (path: string) => readFileSync(join(ROOT, path), 'utf8');

/** Source files of the package (not tests), recursively. */
function sources(dir: string): string[] {
  return readdirSync(join(ROOT, dir), { withFileTypes: true }).flatMap((e) => {
    const path = `${dir}/${e.name}`;
    if (e.isDirectory()) return sources(path);
    return /\.(ts|astro|mjs)$/.test(e.name) && !e.name.includes('.test.') ? [path] : [];
  });
}

/** Names the code reads from the environment: the settings schema's keys (config.ts SETTINGS_SHAPE), setting('X'), env.X. */
function variablesRead(): Set<string> {
  const names = new Set<string>();
  for (const name of Object.keys(SETTINGS_SHAPE)) names.add(name); // the one schema: base variables and every provider's
  for (const file of sources('integration')) {
    for (const m of read(file).matchAll(/setting\('([A-Z][A-Z0-9_]+)'\)|env\.([A-Z][A-Z0-9_]+)\b|env\[['"]([A-Z][A-Z0-9_]+)['"]\]/g))
      names.add((m[1] ?? m[2] ?? m[3])!);
  }
  for (const binding of ['DB', 'EMAIL', 'ASSETS', 'DELIVERY_QUEUE']) names.delete(binding); // bindings, not variables
  return names;
}

/** GitHub's heading anchors. */
const slug = (heading: string) =>
  heading
    .trim()
    .toLowerCase()
    .replace(/[^\p{L}\p{N}\s_-]/gu, '')
    .replace(/\s/g, '-');
const anchorsOf = (markdown: string) => new Set([...markdown.matchAll(/^#{1,6} (.+)$/gm)].map((m) => slug(m[1]!)));

describe('the documentation', () => {
  it("lists every variable the code reads in the README's variables table", () => {
    const readme = read('README.md');
    const table = readme.slice(readme.indexOf('## Variables'), readme.indexOf('\n## ', readme.indexOf('## Variables') + 1));
    const listed = new Set([...table.matchAll(/^\|([^|]+)\|/gm)].flatMap((row) => [...row[1]!.matchAll(/`([A-Z][A-Z0-9_]+)`/g)].map((m) => m[1]!)));
    const read_ = variablesRead();
    expect(read_.size).toBeGreaterThan(40);
    expect([...read_].filter((name) => !listed.has(name)).sort()).toEqual([]);
    expect([...listed].filter((name) => !read_.has(name)).sort()).toEqual([]); // and nothing the code does not read
  });

  it('names only commands the bin has', () => {
    const names = new Set(COMMANDS.map((c) => c.name));
    for (const doc of DOCS) {
      const named = [...read(doc).matchAll(/npx astro-d1-notify ([a-z][\w:-]*)/g)].map((m) => m[1]!);
      expect(
        named.filter((name) => !names.has(name)),
        doc,
      ).toEqual([]);
    }
  });

  it('has no broken relative link, anchor or image', () => {
    const broken: string[] = [];
    for (const doc of DOCS) {
      const text = read(doc);
      const targets = [...text.matchAll(/\]\(([^)\s]+)\)/g), ...text.matchAll(/src="([^"]+)"/g)].map((m) => m[1]!);
      for (const target of targets.filter((t) => !/^[a-z]+:/.test(t))) {
        const [path, anchor] = target.split('#') as [string, string | undefined];
        const file = path ? relative(ROOT, join(ROOT, dirname(doc), path)) : doc;
        if (!existsSync(join(ROOT, file))) broken.push(`${doc}: ${target} (no ${file})`);
        else if (anchor && file.endsWith('.md') && !anchorsOf(read(file)).has(anchor)) broken.push(`${doc}: ${target} (no heading #${anchor})`);
      }
    }
    expect(broken).toEqual([]);
  });

  it("is a short page for the author that ends with this repository's two commands", () => {
    const readme = read('README.md');
    expect(readme.split('\n').length).toBeLessThanOrEqual(260);
    const repository = readme.slice(readme.indexOf('## This repository'));
    expect(repository).toMatch(/^## This repository\n\n```sh\nnpm install && npm run demo .*\nnpm test .*\n```/);
    // The host's steps use the package's commands, not this repository's npm scripts.
    expect(readme.slice(0, readme.indexOf('## This repository'))).not.toMatch(/npm run /);
  });
});
