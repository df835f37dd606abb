/**
 * The post in the email, from real `astro build` runs of the fixture site: an MDX entry (a
 * component with scoped CSS, code, a table, a footnote, an embed) and a Markdown one, rendered
 * by Astro with Shiki, made email-safe and stored once per post in content_items.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BODY_LIMIT_BYTES } from '../integration/registry/email-body';
import { buildFixture, copyFixture, migrateLocalD1, openLocalD1 } from './helpers/fixture-build';

type Row = Record<string, string | number | null>;
const SITE = 'https://fixture.example';

/** A post far past Gmail's clip: 400 sections of heading, paragraph and code. */
const longPost = () =>
  `---\ntitle: A very long essay\ndate: 2026-03-12\n---\n` +
  Array.from({ length: 400 }, (_, i) => `## Part ${i}\n\nParagraph ${i} ${'of many words '.repeat(20)}\n\n\`\`\`js\nconst part = ${i};\n\`\`\`\n`).join('\n') +
  '\nThe very last paragraph, which no email carries.\n';

describe('astro build → the post in content_items, email-safe', () => {
  let fixture: ReturnType<typeof copyFixture>;
  let persist: string;
  let rows: Record<string, Row>;

  beforeAll(async () => {
    fixture = copyFixture();
    persist = mkdtempSync(join(tmpdir(), 'post-email-d1-'));
    writeFileSync(join(fixture.root, 'src/content/essays/very-long.md'), longPost());
    await migrateLocalD1(fixture.root, persist);
    const { error } = await buildFixture(fixture.root, { collections: { essays: 'blog' }, persist, siteName: 'Fixture Blog' });
    expect(error).toBeUndefined();
    const local = await openLocalD1(fixture.root, persist);
    try {
      const { results } = await local.d1.prepare('SELECT * FROM content_items').all<Row>();
      rows = Object.fromEntries(results.map((r) => [r.slug as string, r]));
    } finally {
      await local.dispose();
    }
  }, 180_000);
  afterAll(() => {
    fixture?.dispose();
    rmSync(persist, { recursive: true, force: true });
  });

  it('MDX: headings, lists, Shiki code, table, component, footnote and last paragraph, with absolute URLs and inlined CSS', () => {
    const row = rows['essays/in-mdx']!;
    const html = row.email_html as string;
    expect(html).toMatch(/<h2[^>]*>Setting up<\/h2>/);
    expect(html).toMatch(/<ol[^>]*>\s*<li[^>]*>The first step<\/li>/);
    expect(html).toMatch(/<pre style="[^"]*background-color: #24292e; color: #e1e4e8;/); // Shiki's theme (github-dark), inline
    expect(html).toMatch(/<span style="color:#[0-9A-F]{6}">const<\/span>/i);
    expect(html).toMatch(/<td[^>]*>alpha<\/td>/);
    expect(html).toContain('A callout drawn by a component.');
    expect(html).toContain('The footnote');
    expect(html).toContain('The last paragraph of the essay, where it ends.');
    expect(html).toContain(`href="${SITE}/about"`);
    expect(html).toMatch(new RegExp(`<img src="${SITE}/images/diagram.png" alt="A diagram of the pipeline" width="\\d+" style="[^"]*max-width: 100%`));
    expect(html).toContain('<a href="https://www.youtube.com/embed/abc123"');
    expect(html).toContain('The talk (open the embedded content on Fixture Blog)');
    expect(html).not.toMatch(/<(iframe|script|style|link)\b|class="|data-[\w-]+=|href="\/|src="\//);
    expect(row).toMatchObject({ author: 'Ada Writer', hero_image: `${SITE}/images/hero.png` });

    const text = row.email_text as string;
    for (const words of ['Setting up', 'The first step', 'const answer: number = 42;', 'alpha', 'The last paragraph of the essay, where it ends.', `the about page <${SITE}/about>`]) {
      expect(text).toContain(words);
    }
  });

  it('Markdown: relative links resolve against the post URL; an image Astro processed is absolute and scaled to the email', () => {
    const row = rows['essays/plain-markdown']!;
    expect(row.email_html).toContain(`href="${SITE}/first"`);
    const img = (row.email_html as string).match(/<img [^>]*>/)![0];
    expect(img).toMatch(new RegExp(`src="${SITE}/_astro/chart\\.[\\w-]+\\.(png|webp)"`));
    expect(img).toContain('alt="Chart" width="536" height="268"');
    expect(img).toMatch(/style="[^"]*max-width: 100%/);
    expect(row.email_html).toMatch(/<h3[^>]*>Steps<\/h3>/);
    expect(row.email_text).toContain('The last paragraph of the Markdown essay.');
    expect(row).toMatchObject({ author: null, hero_image: null });
  });

  it('a post past the clip is stored cut at a block boundary, under the limit, text and HTML alike', () => {
    const row = rows['essays/very-long']!;
    const html = row.email_html as string;
    expect(Buffer.byteLength(html)).toBeLessThanOrEqual(BODY_LIMIT_BYTES);
    expect(html).toMatch(new RegExp(`</(p|pre|h2)><p[^>]*><a href="${SITE}/essays/very-long"[^>]*>Continue reading on Fixture Blog</a></p>$`));
    expect(html).not.toContain('which no email carries');
    expect(row.email_text).toMatch(new RegExp(`Continue reading on Fixture Blog <${SITE}/essays/very-long>$`));
    expect(row.email_text).not.toContain('which no email carries');
    const lastPart = Number(html.match(/Part (\d+)<\/h2>(?![\s\S]*Part \d+<\/h2>)/)![1]);
    expect(row.email_text).toContain(`Part ${lastPart}`);
    expect(row.email_text).not.toContain(`Part ${lastPart + 1}\n`);
  });
});
