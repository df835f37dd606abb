/**
 * Wires the reader handlers to the running Worker: the site origin, and the verification
 * mail through the delivery queue (queued, then sent at once; the processor retries failures).
 * Pages import this; tests build their own ReaderDeps instead.
 */
import { processNotifications } from '../delivery/processor';
import { queueVerificationEmail } from '../delivery/verification';
import { getDeliveryDeps } from '../delivery/runtime-deps';
import { setting } from '../runtime';
import type { ReaderDeps } from './reader/deps';

export function readerDeps(url: URL): ReaderDeps {
  return {
    siteUrl: (setting('SITE_URL') ?? url.origin).replace(/\/+$/, ''),
    sendVerification: async (db, params) => {
      const id = await queueVerificationEmail(db, params);
      await processNotifications(getDeliveryDeps(), { onlyNotificationIds: [id] });
    },
  };
}
