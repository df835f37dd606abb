import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ROOT } from '../../test/helpers/d1';
import { readD1Binding, stripJsonc } from './wrangler-config';

const dir = mkdtempSync(join(tmpdir(), 'wrangler-config-'));
const write = (name: string, text: string) => {
  const path = join(dir, name);
  writeFileSync(path, text);
  return path;
};

describe('wrangler config', () => {
  it('reads the project’s own DB binding', () => {
    expect(readD1Binding(join(ROOT, 'wrangler.jsonc'), 'DB')).toMatchObject({ binding: 'DB', database_name: 'astro-d1-notify' });
  });

  it('strips comments and trailing commas but not // inside strings', () => {
    const text = '{\n // c\n "a": "http://x//y", /* b */ "b": [1, 2,],\n}';
    expect(JSON.parse(stripJsonc(text))).toEqual({ a: 'http://x//y', b: [1, 2] });
  });

  it('explains an unreadable file, invalid JSONC and a missing binding', () => {
    expect(() => readD1Binding(join(dir, 'nope.jsonc'), 'DB')).toThrow(/Cannot read the wrangler config/);
    expect(() => readD1Binding(write('bad.jsonc', '{ "d1_databases": [ }'), 'DB')).toThrow(/not valid JSONC/);
    expect(() => readD1Binding(write('other.jsonc', '{ "d1_databases": [{ "binding": "OTHER" }] }'), 'DB')).toThrow(/no D1 binding "DB"/);
  });
});
