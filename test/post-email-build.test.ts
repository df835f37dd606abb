/**
 * The post in the email, from real `astro build` runs of the fixture site: an MDX entry (a
 * component with scoped CSS, code, a table, a footnote, an embed) and a Markdown one, rendered
 * by Astro with Shiki, made email-safe and stored once per post in content_items.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import PostalMime from 'postal-mime';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDb } from '../db/client';
import { processNotifications } from '../integration/delivery/processor';
import { BODY_LIMIT_BYTES } from '../integration/registry/email-body';
import { addReader, settableClock, testConfig } from './helpers/delivery';
import { createFaultInjectionTransport } from './helpers/fault-injection';
import { buildFixture, copyFixture, migrateLocalD1, openLocalD1 } from './helpers/fixture-build';

type Row = Record<string, string | number | null>;
/** Mustache escapes `/` in the template's own URLs as `&#x2F;` (valid HTML; a mail client decodes it). */
const decodeSlashes = (html: string) => html.replaceAll('&#x2F;', '/');
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
  let local: Awaited<ReturnType<typeof openLocalD1>> | undefined;

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
  afterAll(async () => {
    await local?.dispose();
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
    for (const words of [
      'Setting up',
      'The first step',
      'const answer: number = 42;',
      'alpha',
      'The last paragraph of the essay, where it ends.',
      `the about page <${SITE}/about>`,
    ]) {
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

  describe('the email a reader gets (processor → transport), and the digest after an edit', () => {
    // The posts are dated 10–12 March 2026; the clock is the day after, before the 08:00 digest slot.
    const time = settableClock('2026-03-13T07:00:00Z');
    const transport = createFaultInjectionTransport();
    const config = testConfig({ SITE_URL: SITE, SITE_NAME: 'Fixture Blog', DIGEST_HOUR_UTC: '8', MAIL_REPLY_TO: 'Ada Writer <ada@fixture.example>' });
    let mails: Record<string, Awaited<ReturnType<typeof PostalMime.parse>>>;

    beforeAll(async () => {
      local = await openLocalD1(fixture.root, persist);
      const db = createDb(local.d1);
      await addReader(db, 'now@example.org', { blog: true });
      await addReader(db, 'daily@example.org', { blog: true, frequency: 'daily' });
      await processNotifications({ db, transport, clock: time.clock, config });
      const parsed = await Promise.all(transport.sent.map((e) => PostalMime.parse(e.raw)));
      mails = Object.fromEntries(parsed.map((m) => [m.subject!, m]));
      // An edit after fan-out: the digest must show it.
      await local.d1
        .prepare("UPDATE content_items SET title = 'An essay, retitled', description = 'Now with a better summary.' WHERE slug = 'essays/in-mdx'")
        .run();
      time.set('2026-03-13T08:00:00Z');
      await processNotifications({ db, transport, clock: time.clock, config });
    }, 60_000);

    it('carries the whole post, HTML and text: headings, lists, code, table, image and last paragraph; every link absolute', () => {
      const mail = Object.entries(mails).find(([subject]) => subject.includes('An essay in MDX'))![1];
      const html = decodeSlashes(mail.html!);
      expect(html).toMatch(/<h2[^>]*>Setting up<\/h2>/);
      expect(html).toMatch(/<li[^>]*>The first step<\/li>/);
      expect(html).toMatch(/<span style="color:#[0-9A-F]{6}">const<\/span>/i);
      expect(html).toMatch(/<td[^>]*>alpha<\/td>/);
      expect(html).toContain(`<img src="${SITE}/images/diagram.png" alt="A diagram of the pipeline"`);
      expect(html).toContain('The last paragraph of the essay, where it ends.');
      // The hero image from the frontmatter, described by the post's title (migration 0027), never alt="".
      expect(html).toContain(`<img src="${SITE}/images/hero.png" alt="An essay in MDX"`);
      expect(html).toContain('10 March 2026 &middot; Ada Writer'); // the site's date format, and the author
      expect(html).toContain('<meta name="color-scheme" content="light">');
      expect(mail.replyTo).toEqual([{ name: 'Ada Writer', address: 'ada@fixture.example' }]);
      const hrefs = [...html.matchAll(/href="([^"]*)"/g)].map((m) => m[1]!);
      expect(hrefs.length).toBeGreaterThan(5);
      for (const href of hrefs) expect(href, href).toMatch(/^https:\/\/[^/\s"]+/);
      const text = mail.text!;
      for (const words of [
        'Setting up',
        'The first step',
        'const answer: number = 42;',
        'alpha',
        'The last paragraph of the essay, where it ends.',
        'Ada Writer',
      ]) {
        expect(text).toContain(words);
      }
    });

    it('a post past the clip arrives cut with the link, under 102 KB, the text part cut the same way', () => {
      const mail = Object.entries(mails).find(([subject]) => subject.includes('A very long essay'))![1];
      expect(Buffer.byteLength(mail.html!)).toBeLessThan(102 * 1024);
      expect(mail.html).toContain(`<a href="${SITE}/essays/very-long"`);
      expect(mail.html).toContain('Continue reading on Fixture Blog');
      expect(mail.text).toContain(`Continue reading on Fixture Blog <${SITE}/essays/very-long>`);
      expect(mail.html).not.toContain('which no email carries');
      expect(mail.text).not.toContain('which no email carries');
    });

    it('the digest, sent after an edit, shows the new title and description, each post with its excerpt and link', async () => {
      const digest = await PostalMime.parse(transport.sent.find((e) => e.to === 'daily@example.org')!.raw);
      digest.html = decodeSlashes(digest.html!);
      expect(digest.html).toContain('An essay, retitled');
      expect(digest.html).not.toContain('An essay in MDX');
      expect(digest.html).toContain('Now with a better summary.');
      expect(digest.text).toContain('An essay, retitled');
      for (const slug of ['in-mdx', 'plain-markdown', 'very-long']) expect(digest.html).toContain(`href="${SITE}/essays/${slug}"`);
    });
  });
});
