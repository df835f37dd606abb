/** Fixtures for the delivery tests: config, readers, content, a settable clock, table reset. */
import type { Db } from '../../db/client';
import { createContentItem } from '../../db/content/content';
import type { ContentType, EmailFrequency } from '../../db/schema';
import { createUser } from '../../db/readers/users';
import { loadDeliveryConfig, type DeliveryConfig } from '../../integration/delivery/config';

export const SITE = 'https://blog.example.com';

/**
 * A public site's complete settings, for tests that hand the processor their own transport:
 * MAIL_TRANSPORT names a provider only because a public SITE_URL has no default (its key is never used).
 */
export function testConfig(overrides: Record<string, unknown> = {}): DeliveryConfig {
  return loadDeliveryConfig({
    SITE_URL: SITE,
    SITE_NAME: 'Plain Words',
    MAIL_FROM: 'Plain Words <news@example.com>',
    POSTAL_ADDRESS: '1 Example Street, Example City',
    MAIL_TRANSPORT: 'resend',
    RESEND_API_KEY: 're_test_key_never_sent',
    RATE_PER_MINUTE: '0',
    DAILY_CAP: '0',
    ...overrides,
  });
}

export function settableClock(start: string | Date) {
  let now = new Date(start);
  return {
    clock: () => now,
    set: (at: string | Date) => {
      now = new Date(at);
    },
    advance: (seconds: number) => {
      now = new Date(now.getTime() + seconds * 1000);
    },
  };
}

export type ReaderOptions = {
  blog?: boolean;
  thought?: boolean;
  announcements?: boolean;
  frequency?: EmailFrequency;
  verified?: boolean;
};

export async function addReader(db: Db, email: string, o: ReaderOptions = {}) {
  return createUser(db, {
    email,
    emailBlogUpdates: o.blog ?? true,
    emailThoughtUpdates: o.thought ?? false,
    emailAnnouncements: o.announcements ?? false,
    emailFrequency: o.frequency ?? 'immediate',
    emailVerified: o.verified ?? true,
  });
}

let contentSeq = 0;
export async function addContent(db: Db, o: { title?: string; type?: ContentType; publishDate: Date | string; description?: string; slug?: string }) {
  contentSeq += 1;
  const type = o.type ?? 'blog';
  const slug = o.slug ?? `${type}/post-${contentSeq}`;
  return createContentItem(db, {
    slug,
    contentType: type,
    title: o.title ?? `Post ${contentSeq}`,
    description: o.description ?? `About post ${contentSeq}`,
    contentUrl: `${SITE}/${slug}/`,
    publishDate: new Date(o.publishDate),
    filePath: `src/content/${slug}.md`,
  });
}

const DATA_TABLES = [
  'email_notification_history',
  'email_notifications',
  'unsubscribe_tokens',
  'email_statistics',
  'content_items',
  'sessions',
  'user_profiles',
  'users',
];

/** Empties every data table (templates stay): lets one D1 serve many property-test runs. */
export async function clearTables(d1: D1Database): Promise<void> {
  await d1.batch(DATA_TABLES.map((t) => d1.prepare(`DELETE FROM ${t}`)));
}

export async function rows<T = Record<string, unknown>>(d1: D1Database, sql: string, ...params: unknown[]): Promise<T[]> {
  return (
    await d1
      .prepare(sql)
      .bind(...params)
      .all<T>()
  ).results;
}
