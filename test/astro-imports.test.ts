/**
 * dependency-cruiser (`npm run check:imports`) does not read .astro files: it has no Astro
 * transpiler (TS/JS, Vue, Svelte, CoffeeScript, LiveScript only). So the path rules of
 * .dependency-cruiser.cjs are applied here to the imports of every .astro file's frontmatter
 * and <script> blocks, read with TypeScript's own import scanner. One rule set, two readers.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';

type PathRule = { name: string; from: { path?: string; pathNot?: string }; to: { path?: string; circular?: boolean; dependencyTypes?: string[] } };
type Import = { file: string; specifier: string; resolved: string; type: 'local' | 'package' | 'other' };

const ROOT = path.resolve(import.meta.dirname, '..');
const require = createRequire(import.meta.url);
const RULES = (require('../.dependency-cruiser.cjs') as { forbidden: PathRule[] }).forbidden.filter((r) => !r.to.circular);
const EXPORTS = (require('../package.json') as { exports: Record<string, string> }).exports;
const PACKAGE = 'astro-d1-notify';

function astroFiles(dir: string): string[] {
  return readdirSync(path.join(ROOT, dir), { recursive: true, encoding: 'utf8' })
    .filter((f) => f.endsWith('.astro'))
    .map((f) => path.posix.join(dir, f.split(path.sep).join('/')));
}

/** The import specifiers of the frontmatter and of every <script> block. */
function importsOf(source: string): string[] {
  const frontmatter = /^---\r?\n([\s\S]*?)\r?\n---/.exec(source)?.[1] ?? '';
  const scripts = [...source.matchAll(/<script\b[^>]*>([\s\S]*?)<\/script>/g)].map((m) => m[1] ?? '');
  return [frontmatter, ...scripts].flatMap((code) => ts.preProcessFile(code, true, true).importedFiles.map((f) => f.fileName));
}

/** Where a specifier lands, relative to the repository: relative paths as such, the package's own name through its exports. */
function resolve(file: string, specifier: string): Import {
  if (specifier.startsWith('.'))
    return { file, specifier, resolved: path.posix.normalize(path.posix.join(path.posix.dirname(file), specifier)), type: 'local' };
  if (specifier === PACKAGE || specifier.startsWith(`${PACKAGE}/`)) {
    const sub = `.${specifier.slice(PACKAGE.length)}`;
    for (const [key, target] of Object.entries(EXPORTS)) {
      const [head, tail] = key.split('*');
      if (key === sub) return { file, specifier, resolved: target.replace(/^\.\//, ''), type: 'package' };
      if (tail !== undefined && head !== undefined && sub.startsWith(head) && sub.endsWith(tail)) {
        return { file, specifier, resolved: target.replace('*', sub.slice(head.length, sub.length - tail.length)).replace(/^\.\//, ''), type: 'package' };
      }
    }
  }
  return { file, specifier, resolved: specifier, type: 'other' };
}

function violations(imports: Import[]): string[] {
  const hit = (pattern: string | undefined, value: string) => pattern === undefined || new RegExp(pattern).test(value);
  return imports.flatMap((i) =>
    RULES.filter(
      (r) =>
        hit(r.from.path, i.file) &&
        !(r.from.pathNot && new RegExp(r.from.pathNot).test(i.file)) &&
        hit(r.to.path, i.resolved) &&
        (!r.to.dependencyTypes || r.to.dependencyTypes.includes(i.type)),
    ).map((r) => `${r.name}: ${i.file} → ${i.specifier}`),
  );
}

const importsIn = (file: string, source: string): Import[] => importsOf(source).map((s) => resolve(file, s));

describe('.astro imports keep the import rules', () => {
  const files = [...astroFiles('integration'), ...astroFiles('src')];
  const imports = files.flatMap((f) => importsIn(f, readFileSync(path.join(ROOT, f), 'utf8')));

  it('reads the imports of every .astro file of the package and the demo', () => {
    expect(files.length).toBeGreaterThan(40);
    // The demo's slot imports the package's form by name; a reader that saw nothing would pass anything.
    expect(imports).toContainEqual({
      file: 'src/components/SubscribeSlot.astro',
      specifier: 'astro-d1-notify/components/SubscribeForm.astro',
      resolved: 'integration/components/SubscribeForm.astro',
      type: 'package',
    });
  });

  it('finds no wrong-way import', () => {
    expect(violations(imports)).toEqual([]);
  });

  it('refuses each kind of wrong-way import an .astro file could make', () => {
    const wrong = (file: string, specifier: string) => violations(importsIn(file, `---\nimport x from '${specifier}';\n---\n<p>{x}</p>`));
    expect(wrong('integration/components/Form.astro', '../pages/_page')).toEqual(['components-not-pages: integration/components/Form.astro → ../pages/_page']);
    expect(wrong('src/components/Slot.astro', '../../integration/components/SubscribeForm.astro')).toEqual([
      'demo-uses-public-exports: src/components/Slot.astro → ../../integration/components/SubscribeForm.astro',
    ]);
    expect(wrong('integration/pages/admin/index.astro', '../../../src/lib/content')).toEqual([
      'integration-not-demo: integration/pages/admin/index.astro → ../../../src/lib/content',
    ]);
    expect(wrong('integration/pages/x.astro', '../../test/helpers/d1')).toEqual(['shipped-not-tests: integration/pages/x.astro → ../../test/helpers/d1']);
    expect(violations(importsIn('src/components/S.astro', `<script>\nimport '../../db/index';\n</script>`))).toHaveLength(1);
  });
});
