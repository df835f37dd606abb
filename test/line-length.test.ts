import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

// House rule: shipped lines stay at or under 160 characters. The formatter wraps code,
// but not long strings, template literals, comments or .astro files, so this holds those.
const MAX = 160;
const ROOT = fileURLToPath(new URL('..', import.meta.url));
// The i18n catalogs are natural-language sentences, one per key; splitting them would
// hurt translators more than a long line hurts readers.
const EXEMPT = new Set(['en', 'de', 'fr', 'es'].map((lang) => `integration/i18n/${lang}.ts`));

function shippedFiles(): string[] {
  const out = execFileSync('git', ['ls-files', '-z', '--', 'integration', 'db'], { cwd: ROOT, encoding: 'utf8' });
  return out.split('\0').filter((file) => /\.(ts|mjs|astro)$/.test(file) && !EXEMPT.has(file));
}

describe('line length', () => {
  it(`keeps every shipped line at most ${MAX} characters long`, () => {
    const files = shippedFiles();
    expect(files.length).toBeGreaterThan(100);
    const long: string[] = [];
    for (const file of files) {
      readFileSync(join(ROOT, file), 'utf8')
        .split('\n')
        .forEach((line, i) => {
          if (line.length > MAX) long.push(`${file}:${i + 1} (${line.length})`);
        });
    }
    expect(long).toEqual([]);
  });
});
