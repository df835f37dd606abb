import { index, integer, sqliteTable, text, uniqueIndex, check } from 'drizzle-orm/sqlite-core';
import { CONTENT_TYPES, createdAt, flag, oneOf, updatedAt } from './columns';

export const contentItems = sqliteTable(
  'content_items',
  {
    id: text('id').primaryKey(),
    /** `collection/id`, e.g. `blog/hello-world`. */
    slug: text('slug').notNull(),
    contentType: text('content_type', { enum: CONTENT_TYPES }).notNull(),
    title: text('title').notNull(),
    description: text('description'),
    contentPreview: text('content_preview'),
    /** Absolute URL of the entry on the site; not in the original system's interface, but every email needs it. */
    contentUrl: text('content_url'),
    publishDate: integer('publish_date', { mode: 'timestamp' }).notNull(),
    filePath: text('file_path').notNull(),
    contentHash: text('content_hash'),
    notificationSent: flag('notification_sent'),
    notificationCount: integer('notification_count').notNull().default(0),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
    tags: text('tags', { mode: 'json' }).$type<string[]>().notNull().default([]),
    /** Held by the author (console): not fanned out, and its pending notifications are not claimed. */
    deliveryHeld: flag('delivery_held'),
    /**
     * Registered while the `approval: 'manual'` option was on and not yet sent by the author: it
     * is also held (delivery_held = 1) until the console's "Send now" or "Schedule" clears both.
     */
    awaitingApproval: flag('awaiting_approval'),
    /** When the author scheduled it: the processor fans out only once this time has come (null: as soon as published). */
    sendAt: integer('send_at', { mode: 'timestamp' }),
    /** The post as its email carries it: Astro's rendered HTML made email-safe at build time (null: the summary card). */
    emailHtml: text('email_html'),
    /** The text part, made from the same HTML (and the same cut). */
    emailText: text('email_text'),
    /** From the frontmatter (fields `author` and `image`); the image URL is absolute. */
    author: text('author'),
    heroImage: text('hero_image'),
  },
  (t) => [
    uniqueIndex('content_items_slug_unique').on(t.slug),
    index('idx_content_items_type_date').on(t.contentType, t.publishDate),
    index('idx_content_items_notification_sent').on(t.notificationSent),
    index('idx_content_items_unnotified').on(t.notificationSent, t.contentType, t.publishDate),
    check('content_items_content_type_check', oneOf('content_type', CONTENT_TYPES)),
  ],
);

export type ContentItem = typeof contentItems.$inferSelect;
export type NewContentItem = typeof contentItems.$inferInsert;
