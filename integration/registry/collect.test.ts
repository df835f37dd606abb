import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';
import { collectRecords, REGISTRY_ROUTE, takeRegistry, type Registry, type RegistryEntry } from './collect';
import { contentHash } from './hash';
import { parseOptions } from '../options';

const watched = parseOptions({ collections: { blog: 'blog', thoughts: { type: 'thought', path: '/t/{id}/' } } }).collections;
const entry = (id: string, data: Record<string, unknown>, body = 'Body of ' + id): RegistryEntry => ({
  id,
  data,
  body,
  filePath: `src/content/blog/${id}.md`,
});
const registry = (blog: RegistryEntry[], thoughts: RegistryEntry[] = []): Registry => ({
  version: 1,
  collections: [
    { name: 'blog', entries: blog },
    { name: 'thoughts', entries: thoughts },
  ],
});

describe('collectRecords', () => {
  it('maps entries to rows: slug, type, URL, unix date, hash; drafts skipped, future dates kept', async () => {
    const { records, drafts, emptyCollections } = await collectRecords(
      registry(
        [
          entry('hello', { title: ' Hello ', description: 'Hi.', date: '2026-01-10T00:00:00.000Z', tags: ['a'], draft: false }, '**Hello** there'),
          entry('wip', { title: 'WIP', date: '2026-01-11T00:00:00.000Z', draft: true }),
          entry('later', { title: 'Later', date: '2099-01-01T00:00:00.000Z' }),
        ],
        [{ id: 'small', data: { title: 'Small', date: '2026-01-12T00:00:00.000Z' }, body: 'Fine.', filePath: 'src/content/thoughts/small.md' }],
      ),
      watched,
      'https://example.com',
    );
    expect(drafts).toBe(1);
    expect(emptyCollections).toEqual([]);
    expect(records.map((r) => r.slug)).toEqual(['blog/hello', 'blog/later', 'thoughts/small']);
    expect(records[0]).toEqual({
      slug: 'blog/hello',
      contentType: 'blog',
      title: 'Hello',
      description: 'Hi.',
      contentPreview: 'Hello there',
      contentUrl: 'https://example.com/blog/hello',
      publishDate: Date.UTC(2026, 0, 10) / 1000,
      filePath: 'src/content/blog/hello.md',
      contentHash: await contentHash({ title: 'Hello', description: 'Hi.', date: new Date('2026-01-10'), tags: ['a'], body: '**Hello** there' }),
      tags: ['a'],
    });
    expect(records[1]).toMatchObject({ publishDate: Date.UTC(2099, 0, 1) / 1000, description: null, tags: [] });
    expect(records[2]).toMatchObject({ contentType: 'thought', contentUrl: 'https://example.com/t/small/' });
  });

  it('reports watched collections that came back empty', async () => {
    const { emptyCollections } = await collectRecords(registry([entry('a', { title: 'A', date: '2026-01-01' })]), watched, 'https://e.example');
    expect(emptyCollections).toEqual(['thoughts']);
  });

  it.each([
    ['no title', { date: '2026-01-01' }, /blog\/bad \(src\/content\/blog\/bad\.md\) has no title/],
    ['a blank title', { title: '  ', date: '2026-01-01' }, /has no title/],
    ['no date', { title: 'Bad' }, /has no valid date/],
    ['an invalid date', { title: 'Bad', date: 'soon' }, /has no valid date/],
  ])('stops on an entry with %s, naming the entry and the fix', async (_, data, message) => {
    const run = collectRecords(registry([entry('bad', data)]), watched, 'https://e.example');
    await expect(run).rejects.toThrow(message);
    await expect(run).rejects.toHaveProperty('hint', expect.stringMatching(/frontmatter/));
  });
});

describe('takeRegistry', () => {
  it('reads the generated file and deletes it so it is never deployed', () => {
    const dir = mkdtempSync(join(tmpdir(), 'registry-'));
    const file = join(dir, REGISTRY_ROUTE.slice(1));
    writeFileSync(file, JSON.stringify(registry([])));
    expect(takeRegistry(pathToFileURL(`${dir}/`)).collections).toHaveLength(2);
    expect(existsSync(file)).toBe(false);
    expect(() => takeRegistry(pathToFileURL(`${dir}/`))).toThrow(/was not generated/);
  });
});
