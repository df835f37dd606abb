import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect, it } from 'vitest';
import { HTML_PARTIALS, TEXT_PARTIALS } from './partials';

// The Worker has no file system: partials.ts carries db/templates/partials/* as strings, generated here.
const DIR = join(import.meta.dirname, 'partials');
const files = (ext: string): Record<string, string> =>
  Object.fromEntries(
    readdirSync(DIR)
      .filter((f) => f.endsWith(`.${ext}`))
      .sort()
      .map((f) => [f.slice(0, -ext.length - 1), readFileSync(join(DIR, f), 'utf8')]),
  );

/** Each partial as chunks of at most 100 characters (shipped lines stay under 160), cut after each line break. */
const chunks = (text: string): string[] => text.match(/[^\n]{1,100}\n?|\n/g) ?? [];
const constant = (name: string, partials: Record<string, string>) =>
  `export const ${name}: Readonly<Record<string, string>> = {\n` +
  Object.entries(partials)
    .map(
      ([key, text]) =>
        `  ${key}: [\n${chunks(text)
          .map((c) => `    ${JSON.stringify(c)},\n`)
          .join('')}  ].join(''),\n`,
    )
    .join('') +
  '};\n';
const generated = () =>
  '// Generated from db/templates/partials/* by db/templates/partials.test.ts: edit those files, then run\n' +
  '// `npx vitest run db/templates/partials.test.ts -u`. The Worker has no file system, so the partials travel as strings.\n' +
  `${constant('HTML_PARTIALS', files('html'))}${constant('TEXT_PARTIALS', files('txt'))}`;

it('partials.ts is generated from db/templates/partials/ (regenerate with -u)', async () => {
  await expect(generated()).toMatchFileSnapshot('./partials.ts');
});

it('partials.ts holds exactly the partial files, HTML and text', () => {
  expect(HTML_PARTIALS).toEqual(files('html'));
  expect(TEXT_PARTIALS).toEqual(files('txt'));
  expect(Object.keys(HTML_PARTIALS).sort()).toEqual(['footer', 'footer_system', 'head']);
});
