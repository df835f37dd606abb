/**
 * Step 1 of a run: every published, unnotified content item becomes one notification per
 * eligible reader (immediate readers now, daily and weekly readers in their next digest),
 * through the data layer's set-based fan-out; then the item is marked notified.
 */
import type { Db } from '../../db/client';
import { getUnnotifiedContent, markContentNotified } from '../../db/content/content';
import { nextDigestSlots } from '../../db/delivery/digest-schedule';
import { enqueueNotificationsInChunks } from '../../db/delivery/notifications';

/** Each item costs three round trips (more past FANOUT_CHUNK_READERS readers); a run leaves the rest to the next run. */
export const MAX_ITEMS_PER_RUN = 25;
/** A million-reader item fans out over several runs (each chunk is a checkpoint) rather than hold up sending. */
export const FANOUT_TIME_BUDGET_MS = 15_000;

export type FanOutResult = { items: number; notifications: number; errors: string[] };

export async function fanOutPublished(db: Db, now: Date, digest: { hourUtc: number; weeklyDay: number }): Promise<FanOutResult> {
  const items = await getUnnotifiedContent(db, { now });
  const digestAt = nextDigestSlots(now, digest);
  const result: FanOutResult = { items: 0, notifications: 0, errors: [] };
  // Oldest first, so a backlog goes out in publishing order.
  const started = Date.now();
  for (const item of items.slice(-MAX_ITEMS_PER_RUN).reverse()) {
    const timeBudgetMs = FANOUT_TIME_BUDGET_MS - (Date.now() - started);
    if (timeBudgetMs <= 0) break;
    try {
      const fanOut = await enqueueNotificationsInChunks(db, item, { now, digestAt, timeBudgetMs });
      result.notifications += fanOut.created;
      if (!fanOut.done) break; // resumes from its checkpoint next run; newer items wait their turn
      await markContentNotified(db, item.id, fanOut.existing + fanOut.created, now);
      result.items += 1;
    } catch (error) {
      // One broken item (e.g. no content_url) must not hold back the others; it stays unnotified.
      result.errors.push(`fan-out of ${item.slug}: ${(error as Error).message}`);
    }
  }
  return result;
}
