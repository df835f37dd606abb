/**
 * Read-side helpers for the blog's content collections.
 *
 * Pages never call getCollection()/getEntry() directly: they go through
 * getPublished() and getPublishedEntry(), so a draft can never be listed or
 * routed by accident. No database access here: this is the content layer only.
 */
import { getCollection, getEntry, type CollectionEntry } from 'astro:content';

export const site = {
  title: 'Plain Words',
  description: 'Notes on writing, the web and email, by someone who likes all three.',
} as const;

/** The collections that pages list and route, in navigation order. */
export const collections = ['blog', 'thoughts', 'announcements'] as const;
export type PublicCollection = (typeof collections)[number];
export type PublicEntry = CollectionEntry<PublicCollection>;

/** URL prefix of each collection; an entry lives at `${collectionPath[c]}/${id}`. */
export const collectionPath: Record<PublicCollection, string> = {
  blog: '/blog',
  thoughts: '/thoughts',
  announcements: '/announcements',
};

/** Human labels, used for navigation and headings. */
export const collectionLabel: Record<PublicCollection, string> = {
  blog: 'Blog',
  thoughts: 'Thoughts',
  announcements: 'Announcements',
};

export function isPublished(entry: { data: { draft?: boolean } }): boolean {
  return entry.data.draft !== true;
}

/** Newest first; entries with the same date keep a stable order by id. */
export function byDateDesc(a: PublicEntry, b: PublicEntry): number {
  return b.data.date.getTime() - a.data.date.getTime() || a.id.localeCompare(b.id);
}

/** Every non-draft entry of a collection, newest first. */
export async function getPublished<C extends PublicCollection>(collection: C): Promise<CollectionEntry<C>[]> {
  const entries = await getCollection(collection, isPublished);
  return entries.sort(byDateDesc);
}

/** One published entry, or undefined for an unknown id or a draft. */
export async function getPublishedEntry<C extends PublicCollection>(collection: C, id: string | undefined): Promise<CollectionEntry<C> | undefined> {
  if (!id) return undefined;
  const entry = (await getEntry(collection, id)) as CollectionEntry<C> | undefined;
  return entry && isPublished(entry) ? entry : undefined;
}

export function entryUrl(entry: { collection: PublicCollection; id: string }): string {
  return `${collectionPath[entry.collection]}/${entry.id}`;
}

/** `YYYY-MM-DD` for <time datetime>. Content dates are calendar days in UTC. */
export function isoDate(date: Date): string {
  return date.toISOString().slice(0, 10);
}

const longDate = new Intl.DateTimeFormat('en-GB', {
  day: 'numeric',
  month: 'long',
  year: 'numeric',
  timeZone: 'UTC',
});

export function formatDate(date: Date): string {
  return longDate.format(date);
}
