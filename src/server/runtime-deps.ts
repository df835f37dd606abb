/**
 * Wires the reader handlers to the running Worker: the site origin, and the verification
 * mail through the delivery queue (queued, then sent right after the answer; the processor retries failures).
 * Pages import this; tests build their own ReaderDeps instead.
 */
import { safeErrorText } from '../../db/safe-error';
import { processNotifications } from '../delivery/processor';
import { queueVerificationEmail } from '../delivery/verification';
import { getDeliveryDeps } from '../delivery/runtime-deps';
import { inBackground, setting } from '../runtime';
import type { ReaderDeps } from './reader/deps';

export function readerDeps(url: URL): ReaderDeps {
  return {
    siteUrl: (setting('SITE_URL') ?? url.origin).replace(/\/+$/, ''),
    sendVerification: async (db, params) => {
      const id = await queueVerificationEmail(db, params);
      // Sent after the answer: the transport's latency (and whether the processor cancels the
      // email for a blocked address) must not show in the subscribe route's timing.
      inBackground(
        processNotifications(getDeliveryDeps(), { onlyNotificationIds: [id] }).catch((error: unknown) =>
          console.error('verification email: send failed; the scheduled run retries it:', safeErrorText(error)),
        ),
      );
    },
  };
}
