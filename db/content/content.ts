import { and, desc, eq, isNull, lte, or, sql } from 'drizzle-orm';
import type { Db } from '../client';
import { newId } from '../crypto';
import { changedRows } from '../params';
import { CONTENT_TYPES, contentItems, type ContentItem, type ContentType } from '../schema';

export type CreateContentItemParams = {
  slug: string;
  contentType: ContentType;
  title: string;
  description?: string | null;
  contentPreview?: string | null;
  contentUrl?: string | null;
  publishDate: Date;
  filePath: string;
  contentHash?: string | null;
  tags?: string[];
};

/** Registers a content item (unnotified). The slug is unique: a second insert of it fails. */
export async function createContentItem(db: Db, params: CreateContentItemParams): Promise<ContentItem> {
  if (!CONTENT_TYPES.includes(params.contentType)) throw new Error(`Invalid content type: "${params.contentType}"`);
  if (!params.slug) throw new Error('createContentItem: slug is required');
  if (Number.isNaN(params.publishDate.getTime())) throw new Error(`createContentItem: invalid publishDate for "${params.slug}"`);
  const [item] = await db
    .insert(contentItems)
    .values({
      id: newId(),
      slug: params.slug,
      contentType: params.contentType,
      title: params.title,
      description: params.description ?? null,
      contentPreview: params.contentPreview ?? null,
      contentUrl: params.contentUrl ?? null,
      publishDate: params.publishDate,
      filePath: params.filePath,
      contentHash: params.contentHash ?? null,
      tags: params.tags ?? [],
    })
    .returning();
  if (!item) throw new Error('createContentItem: the insert returned no row');
  return item;
}

/**
 * Published (publish_date <= now) items not yet fanned out, newest first. Future-dated and held
 * posts wait (a post awaiting the author's approval is held), and so does a post the author
 * scheduled until its send_at.
 */
export async function getUnnotifiedContent(db: Db, { now = new Date() }: { now?: Date } = {}): Promise<ContentItem[]> {
  return unnotifiedContentQuery(db, now);
}

/** The query of getUnnotifiedContent, unexecuted (`npx astro-d1-notify db:stats` explains it). */
export function unnotifiedContentQuery(db: Db, now: Date) {
  return db
    .select()
    .from(contentItems)
    .where(
      and(
        eq(contentItems.notificationSent, false),
        lte(contentItems.publishDate, now),
        eq(contentItems.deliveryHeld, false),
        or(isNull(contentItems.sendAt), lte(contentItems.sendAt, now)),
      ),
    )
    .orderBy(desc(contentItems.publishDate));
}

/**
 * Marks an item (by its id) as fanned out and adds `count` notifications to its tally.
 * Returns false when the item does not exist.
 */
export async function markContentNotified(db: Db, contentId: string, count: number, now: Date = new Date()): Promise<boolean> {
  if (!Number.isSafeInteger(count) || count < 0) throw new Error(`count must be a non-negative integer, got ${count}`);
  const result = await db
    .update(contentItems)
    .set({ notificationSent: true, notificationCount: sql`${contentItems.notificationCount} + ${count}`, updatedAt: now })
    .where(eq(contentItems.id, contentId));
  return changedRows(result) > 0;
}

export async function getContentItemBySlug(db: Db, slug: string): Promise<ContentItem | undefined> {
  return db.query.contentItems.findFirst({ where: eq(contentItems.slug, slug) });
}

/** The columns an email shows of a post (integration/delivery/render.ts `PostRow`). */
const POST_FOR_EMAIL = {
  slug: contentItems.slug,
  contentType: contentItems.contentType,
  title: contentItems.title,
  description: contentItems.description,
  contentPreview: contentItems.contentPreview,
  contentUrl: contentItems.contentUrl,
  publishDate: contentItems.publishDate,
  emailHtml: contentItems.emailHtml,
  emailText: contentItems.emailText,
  author: contentItems.author,
  heroImage: contentItems.heroImage,
};
export type PostForEmail = { [K in keyof typeof POST_FOR_EMAIL]: ContentItem[K] };

/**
 * The posts a batch of emails is about, as they are now (an edit after fan-out shows), in one
 * query: each body is read once per batch, never once per reader. Slugs travel as one JSON
 * parameter, so any batch size fits D1's 100 bound parameters.
 */
export async function postsForEmail(db: Db, slugs: readonly string[]): Promise<Map<string, PostForEmail>> {
  if (slugs.length === 0) return new Map();
  const rows = await db
    .select(POST_FOR_EMAIL)
    .from(contentItems)
    .where(sql`${contentItems.slug} IN (SELECT value FROM json_each(${JSON.stringify([...new Set(slugs)])}))`);
  return new Map(rows.map((r) => [r.slug, r]));
}
