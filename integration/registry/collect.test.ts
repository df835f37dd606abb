import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';
import { collectRecords, REGISTRY_ROUTE, takeRegistry, type Registry, type RegistryEntry } from './collect';
import { contentHash } from './hash';
import { parseOptions } from '../options';

const watched = parseOptions({ collections: { blog: 'blog', thoughts: { type: 'thought', path: '/t/{id}/' } } }).collections;
const entry = (id: string, data: Record<string, unknown>, body = `Body of ${id}`): RegistryEntry => ({
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
      contentHash: await contentHash({
        title: 'Hello',
        description: 'Hi.',
        date: new Date('2026-01-10'),
        tags: ['a'],
        body: '**Hello** there',
        email: [null, null, null],
      }),
      tags: ['a'],
      emailHtml: null, // no rendered HTML in this registry: the email shows the card
      emailText: null,
      author: null,
      heroImage: null,
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

describe('collectRecords: any blog’s frontmatter (the fields option)', () => {
  const one = (data: Record<string, unknown>) => registry([entry('post', data)]);

  it('recognises the blog starter’s pubDate and the common summary/published/categories names by default', async () => {
    const starter = await collectRecords(one({ title: 'A', pubDate: '2026-03-01T00:00:00.000Z', description: 'Starter.' }), watched, 'https://e.x');
    expect(starter.records[0]).toMatchObject({ publishDate: Date.UTC(2026, 2, 1) / 1000, description: 'Starter.' });
    const other = await collectRecords(one({ title: 'B', published: '2026-03-02T00:00:00.000Z', summary: 'Sum.', categories: ['x'] }), watched, 'https://e.x');
    expect(other.records[0]).toMatchObject({ publishDate: Date.UTC(2026, 2, 2) / 1000, description: 'Sum.', tags: ['x'] });
  });

  it('takes a field name or a function per field', async () => {
    const { fields } = parseOptions({
      fields: { title: 'headline', date: (data) => `${data.year}-01-02T00:00:00.000Z`, draft: (data) => data.status === 'draft' },
    });
    const result = await collectRecords(
      registry([entry('a', { headline: 'Headline', year: 2025 }), entry('b', { headline: 'Hidden', year: 2025, status: 'draft' })]),
      watched,
      'https://e.x',
      fields,
    );
    expect(result.drafts).toBe(1);
    expect(result.records).toEqual([expect.objectContaining({ title: 'Headline', publishDate: Date.UTC(2025, 0, 2) / 1000 })]);
  });

  it('names the entry, the fields it looked at and the option to set when a title or date is missing', async () => {
    const { fields } = parseOptions({ fields: { date: 'when' } });
    await expect(collectRecords(one({ title: 'No date', date: '2026-01-01' }), watched, 'https://e.x', fields)).rejects.toMatchObject({
      message: expect.stringMatching(/blog\/post \(src\/content\/blog\/post\.md\) has no valid date \(none of `when` is set\)/),
      hint: expect.stringContaining('`fields.date`'),
    });
    await expect(collectRecords(one({ name: 'x', date: '2026-01-01' }), watched, 'https://e.x')).rejects.toMatchObject({
      message: expect.stringContaining('has no title (none of `title` is set)'),
      hint: expect.stringContaining('`fields.title`'),
    });
  });

  it('refuses a field option that is neither a name, a list of names nor a function', () => {
    expect(() => parseOptions({ fields: { date: 42 } as never })).toThrow(/fields\.date/);
    expect(() => parseOptions({ fields: { subtitle: 'by' } as never })).toThrow(/fields/);
  });
});

describe('collectRecords: the post in the email', () => {
  const data = { title: 'Hello', date: '2026-01-10', author: [{ name: 'Ada' }, 'Grace'], heroImage: { src: '/_astro/hero.abc.png', width: 1200 } };
  const withHtml = (html: string): RegistryEntry => ({ ...entry('hello', data), html });

  it('stores the email-safe body, its text, the author and the hero image made absolute', async () => {
    const { records } = await collectRecords(
      registry([withHtml('<h2>Hi</h2><p>See <a href="/about">about</a>.</p>')]),
      watched,
      'https://example.com',
      undefined,
      'Example',
    );
    expect(records[0]).toMatchObject({ author: 'Ada and Grace', heroImage: 'https://example.com/_astro/hero.abc.png' });
    expect(records[0]!.emailHtml).toContain('<a href="https://example.com/about"');
    expect(records[0]!.emailText).toContain('See about <https://example.com/about>.');
  });

  it('the hash covers the rendered body (a plugin or mode change re-stores it) and a summary collection stores none', async () => {
    const hashOf = async (html: string, collections = watched) =>
      (await collectRecords(registry([withHtml(html)]), collections, 'https://example.com')).records[0]!;
    expect((await hashOf('<p>One</p>')).contentHash).not.toBe((await hashOf('<p>One!</p>')).contentHash);
    const summary = parseOptions({ collections: { blog: { type: 'blog', email: 'summary' } } }).collections;
    expect(await hashOf('<p>One</p>', summary)).toMatchObject({ emailHtml: null, emailText: null });
  });
});
