import { describe, expect, it } from 'vitest';
import { contentHash, serializeForHash, type HashedFields } from './hash';

const base: HashedFields = {
  title: 'Hello, world',
  description: 'Why this blog exists.',
  date: new Date('2026-09-01T00:00:00Z'),
  tags: ['meta', 'intro'],
  body: 'This is the **first** post.\n\nSecond paragraph.',
};

describe('contentHash', () => {
  it('is SHA-256 hex and the same for the same entry', async () => {
    const a = await contentHash(base);
    expect(a).toMatch(/^[0-9a-f]{64}$/);
    expect(await contentHash({ ...base, tags: [...base.tags!] })).toBe(a);
    // A known vector pins the serialisation: changing it would rewrite every row on the next build.
    const vector = 'a243c80970dc86c48cdb4fa7bb06886d5bad652147a05d7dac304b209e39e5d0';
    expect(await contentHash({ title: 't', date: new Date(0), body: '' })).toBe(vector);
    expect(await contentHash({ title: 't', description: null, date: new Date(0), tags: [], body: '' })).toBe(vector);
  });

  it.each([
    ['title', { title: 'Hello, World' }],
    ['description', { description: 'Why this blog exists!' }],
    ['missing description', { description: undefined }],
    ['date', { date: new Date('2026-09-02T00:00:00Z') }],
    ['tag added', { tags: ['meta', 'intro', 'new'] }],
    ['tag order', { tags: ['intro', 'meta'] }],
    ['body word', { body: 'This is the **second** post.\n\nSecond paragraph.' }],
    ['body paragraph break', { body: 'This is the **first** post.\nSecond paragraph.' }],
  ] as [string, Partial<HashedFields>][])('changes when the %s changes', async (_, change) => {
    expect(await contentHash({ ...base, ...change })).not.toBe(await contentHash(base));
  });

  it('ignores frontmatter key order and whitespace-only differences', async () => {
    const reordered = { body: base.body, tags: base.tags, date: base.date, description: base.description, title: base.title };
    expect(await contentHash(reordered)).toBe(await contentHash(base));
    const spaced = {
      ...base,
      title: '  Hello,   world ',
      description: 'Why this\n blog exists. ',
      tags: [' meta', 'intro  '],
      body: `\r\n${base.body.replace(/\n/g, '\r\n')}\r\n\r\n`,
    };
    expect(serializeForHash(spaced)).toBe(serializeForHash(base));
    expect(await contentHash(spaced)).toBe(await contentHash(base));
  });

  it('counts a date by its instant, not its spelling', async () => {
    expect(await contentHash({ ...base, date: new Date('2026-09-01') })).toBe(await contentHash(base));
  });
});
