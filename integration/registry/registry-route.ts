/**
 * The prerendered endpoint that hands the build hook every entry of the watched
 * collections, read through Astro's public `getCollection()`, with each entry's body as
 * Astro renders it (`render(entry)`: Markdown and MDX alike, with the site's remark/rehype
 * plugins and Shiki), turned into a string by the container API. Its output file is read and
 * deleted in `astro:build:done`, so it is never deployed; the email-safe transform runs there, in Node.
 */
import { experimental_AstroContainer as AstroContainer } from 'astro/container';
import { getCollection, render } from 'astro:content';
import { collections, renderers } from 'virtual:content-registry';

export const prerender = true;

type Entry = { id: string; data: unknown; body?: string; filePath?: string; rendered?: { html?: string } };

export async function GET(): Promise<Response> {
  const container = await AstroContainer.create();
  for (const r of renderers) container.addServerRenderer(r as never);
  const html = async (entry: Entry): Promise<string> => {
    try {
      const { Content } = await render(entry as never);
      return await container.renderToString(Content as never);
    } catch {
      // The content layer keeps Markdown's HTML; an entry that cannot render still registers.
      return entry.rendered?.html ?? '';
    }
  };
  const out = [];
  for (const name of collections) {
    // Unknown collections come back empty (Astro only warns); the hook decides what that means.
    const entries = (await getCollection(name as never)) as Entry[];
    const rendered = [];
    for (const e of entries) {
      rendered.push({ id: e.id, data: e.data, body: e.body ?? '', filePath: e.filePath ?? null, html: await html(e) });
    }
    out.push({ name, entries: rendered });
  }
  return new Response(JSON.stringify({ version: 1, collections: out }), {
    headers: { 'content-type': 'application/json' },
  });
}
