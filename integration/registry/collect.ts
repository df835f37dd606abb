import { existsSync, readFileSync, rmSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { AstroError } from 'astro/errors';
import { contentHash } from './hash';
import { DEFAULT_FIELDS, entryUrl, type FieldName, type FieldSpec, type WatchedCollection } from '../options';
import { contentPreview } from './preview';
import { emailBody } from './email-body';
import type { ContentRecord } from './sync';

/** Where the prerendered registry lands in the client output; underscore-prefixed so no page collides. */
export const REGISTRY_ROUTE = '/__content-registry.json';
export const REGISTRY_ENTRYPOINT = fileURLToPath(new URL('./registry-route.ts', import.meta.url));

const VIRTUAL_ID = 'virtual:content-registry';

/** The server renderer MDX content needs in the container (only when the host uses @astrojs/mdx). */
const MDX_RENDERER = `import mdxRenderer from '@astrojs/mdx/server.js';\nexport const renderers = [{ name: 'astro:jsx', renderer: mdxRenderer }];`;

/** Vite plugin that tells the registry route which collections to read, and which renderers their entries need. */
export function registryVitePlugin(collectionNames: string[], options: { mdx?: boolean } = {}) {
  return {
    name: 'content-registry',
    resolveId(id: string) {
      return id === VIRTUAL_ID ? `\0${VIRTUAL_ID}` : undefined;
    },
    load(id: string) {
      if (id !== `\0${VIRTUAL_ID}`) return undefined;
      return `export const collections = ${JSON.stringify(collectionNames)};\n${options.mdx ? MDX_RENDERER : 'export const renderers = [];'}`;
    },
  };
}

/** `html`: the body as Astro renders it (registry-route.ts); absent in a registry from an older build. */
export type RegistryEntry = { id: string; data: Record<string, unknown>; body: string; filePath: string | null; html?: string };
export type Registry = { version: 1; collections: { name: string; entries: RegistryEntry[] }[] };

/** Read the generated registry from the client output and delete it, so it is never deployed. */
export function takeRegistry(dir: URL): Registry {
  const file = fileURLToPath(new URL(REGISTRY_ROUTE.slice(1), dir));
  if (!existsSync(file)) {
    throw new AstroError(
      `The content registry (${REGISTRY_ROUTE}) was not generated in ${fileURLToPath(dir)}.`,
      'Another integration or the adapter may have removed the prerendered route; check the build log for prerender errors.',
    );
  }
  try {
    return JSON.parse(readFileSync(file, 'utf8')) as Registry;
  } finally {
    rmSync(file, { force: true });
  }
}

export function discardRegistry(dir: URL): void {
  rmSync(fileURLToPath(new URL(REGISTRY_ROUTE.slice(1), dir)), { force: true });
}

function asDate(value: unknown): Date | undefined {
  const date = value instanceof Date ? value : typeof value === 'string' || typeof value === 'number' ? new Date(value) : undefined;
  return date && !Number.isNaN(date.getTime()) ? date : undefined;
}

function entryProblem(slug: string, filePath: string | null, problem: string, fix: string): AstroError {
  return new AstroError(`Content entry ${slug}${filePath ? ` (${filePath})` : ''} ${problem}.`, fix);
}

/** The first candidate field whose value `accept` takes, or the function's value; the field it came from for messages. */
function pick<T>(
  spec: FieldSpec,
  data: Record<string, unknown>,
  entry: { id: string; collection: string },
  accept: (v: unknown) => T | undefined,
): T | undefined {
  if (typeof spec === 'function') return accept(spec(data, entry));
  for (const name of spec) {
    const value = accept(data[name]);
    if (value !== undefined) return value;
  }
  return undefined;
}

const describeSpec = (name: FieldName, spec: FieldSpec): string =>
  typeof spec === 'function' ? `the \`fields.${name}\` function returned nothing usable` : `none of ${spec.map((f) => `\`${f}\``).join(', ')} is set`;

const asText = (v: unknown) => (typeof v === 'string' && v.trim() ? v.trim() : undefined);
const asTags = (v: unknown) => (Array.isArray(v) ? v.filter((t): t is string => typeof t === 'string') : undefined);
const asFlag = (v: unknown) => (typeof v === 'boolean' ? v : undefined);
/** One name, or several joined ("A and B"); a reference object's `name` or `id`. */
const asAuthor = (v: unknown): string | undefined => {
  const one = (x: unknown) =>
    asText(x) ?? (x && typeof x === 'object' ? (asText((x as { name?: unknown }).name) ?? asText((x as { id?: unknown }).id)) : undefined);
  if (!Array.isArray(v)) return one(v);
  const names = v.map(one).filter((n): n is string => n !== undefined);
  return names.length === 0 ? undefined : names.length === 1 ? names[0] : `${names.slice(0, -1).join(', ')} and ${names.at(-1)}`;
};
/** A string, or an Astro `image()` value (its `src`). */
const asImage = (v: unknown) => asText(v) ?? (v && typeof v === 'object' ? asText((v as { src?: unknown }).src) : undefined);

const absoluteTo = (url: string, base: string): string | null => {
  try {
    const u = new URL(url, base);
    return u.protocol === 'https:' || u.protocol === 'http:' ? u.href : null;
  } catch {
    return null;
  }
};

/** The site's name for "Continue reading on …": the option, else the host. */
export const siteLabel = (site: string, siteName?: string) => siteName ?? new URL(site).host;

type CollectResult = {
  records: ContentRecord[];
  drafts: number;
  /** Watched collections that Astro returned nothing for. */
  emptyCollections: string[];
};

/**
 * Turn registry entries into content_items rows: drafts skipped, title and date required,
 * future dates kept as they are (the processor waits for them).
 */
export async function collectRecords(
  registry: Registry,
  watched: WatchedCollection[],
  site: string,
  fields: Record<FieldName, FieldSpec> = DEFAULT_FIELDS,
  siteName?: string,
): Promise<CollectResult> {
  const result: CollectResult = { records: [], drafts: 0, emptyCollections: [] };
  for (const collection of watched) {
    const entries = registry.collections.find((c) => c.name === collection.name)?.entries ?? [];
    if (entries.length === 0) result.emptyCollections.push(collection.name);
    for (const entry of entries) {
      const data = entry.data ?? {};
      const slug = `${collection.name}/${entry.id}`;
      const ref = { id: entry.id, collection: collection.name };
      if (pick(fields.draft, data, ref, asFlag) === true) {
        result.drafts++;
        continue;
      }
      const title = pick(fields.title, data, ref, asText);
      if (!title) {
        throw entryProblem(
          slug,
          entry.filePath,
          `has no title (${describeSpec('title', fields.title)})`,
          'Add a title to its frontmatter, or set the `fields.title` option of astro-d1-notify to the field that holds it (a name or a function).',
        );
      }
      const date = pick(fields.date, data, ref, asDate);
      if (!date) {
        throw entryProblem(
          slug,
          entry.filePath,
          `has no valid date (${describeSpec('date', fields.date)})`,
          'Add a date (YYYY-MM-DD) to its frontmatter, or set the `fields.date` option of astro-d1-notify to the field that holds it (a name or a function).',
        );
      }
      const description = pick(fields.description, data, ref, asText) ?? null;
      const tags = pick(fields.tags, data, ref, asTags) ?? [];
      const contentUrl = entryUrl(site, collection.path, collection.name, entry.id);
      const body = emailBody(entry.html ?? '', {
        pageUrl: contentUrl,
        siteName: siteLabel(site, siteName),
        mode: collection.email,
        paragraphs: collection.paragraphs,
      });
      const author = pick(fields.author, data, ref, asAuthor) ?? null;
      const image = pick(fields.image, data, ref, asImage);
      const heroImage = image ? absoluteTo(image, contentUrl) : null;
      result.records.push({
        slug,
        contentType: collection.type,
        title,
        description,
        contentPreview: contentPreview(entry.body),
        contentUrl,
        publishDate: Math.floor(date.getTime() / 1000),
        filePath: entry.filePath ?? slug,
        contentHash: await contentHash({ title, description, date, tags, body: entry.body, email: [body?.html ?? null, author, heroImage] }),
        tags,
        emailHtml: body?.html ?? null,
        emailText: body?.text ?? null,
        author,
        heroImage,
      });
    }
  }
  return result;
}

/** A watched collection that yields nothing: an error if the user named it, a warning for the defaults. */
export function emptyCollectionError(names: string[]): AstroError {
  const list = names.map((n) => `"${n}"`).join(', ');
  return new AstroError(
    `Watched collection${names.length > 1 ? 's' : ''} ${list} ${names.length > 1 ? 'do' : 'does'} not exist or ${names.length > 1 ? 'are' : 'is'} empty.`,
    'Define it in src/content.config.ts, or fix the name in the `collections` option of astro-d1-notify.',
  );
}
