/**
 * Step 1 of a run: every published, unnotified content item becomes one notification per
 * eligible reader (immediate readers now, daily and weekly readers in their next digest),
 * through the data layer's set-based fan-out; then the item is marked notified.
 */
import type { Db } from '../../db/client';
import { getUnnotifiedContent, markContentNotified } from '../../db/content';
import { nextDigestSlots } from '../../db/digest-schedule';
import { enqueueNotificationsForContent } from '../../db/notifications';

/** Each item costs two round trips; a run leaves the rest to the next run. */
export const MAX_ITEMS_PER_RUN = 25;

export type FanOutResult = { items: number; notifications: number; errors: string[] };

export async function fanOutPublished(
  db: Db,
  now: Date,
  digest: { hourUtc: number; weeklyDay: number },
): Promise<FanOutResult> {
  const items = await getUnnotifiedContent(db, { now });
  const digestAt = nextDigestSlots(now, digest);
  const result: FanOutResult = { items: 0, notifications: 0, errors: [] };
  // Oldest first, so a backlog goes out in publishing order.
  for (const item of items.slice(-MAX_ITEMS_PER_RUN).reverse()) {
    try {
      const created = await enqueueNotificationsForContent(db, item, { now, digestAt });
      await markContentNotified(db, item.id, created, now);
      result.items += 1;
      result.notifications += created;
    } catch (error) {
      // One broken item (e.g. no content_url) must not hold back the others; it stays unnotified.
      result.errors.push(`fan-out of ${item.slug}: ${(error as Error).message}`);
    }
  }
  return result;
}
