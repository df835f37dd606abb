/**
 * The prerendered endpoint that hands the build hook every entry of the watched
 * collections, read through Astro's public `getCollection()`. Its output file is
 * read and deleted in `astro:build:done`, so it is never deployed.
 */
import { getCollection } from 'astro:content';
import { collections } from 'virtual:content-registry';

export const prerender = true;

export async function GET(): Promise<Response> {
  const out = [];
  for (const name of collections) {
    // Unknown collections come back empty (Astro only warns); the hook decides what that means.
    const entries = await getCollection(name as never);
    out.push({
      name,
      entries: entries.map((e: { id: string; data: unknown; body?: string; filePath?: string }) => ({
        id: e.id,
        data: e.data,
        body: e.body ?? '',
        filePath: e.filePath ?? null,
      })),
    });
  }
  return new Response(JSON.stringify({ version: 1, collections: out }), {
    headers: { 'content-type': 'application/json' },
  });
}
