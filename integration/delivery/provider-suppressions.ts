/**
 * A transport that learns from the provider that a recipient is on the provider's own
 * suppression list (Cloudflare's E_RECIPIENT_SUPPRESSED, Postmark's 406 inactive recipient)
 * reports the failure with this code; the processor then adds those addresses to ours, so the
 * fan-out stops queueing mail for them.
 */
import type { Db } from '../../db/client';
import type { Outcome } from '../../db/delivery/claims';
import { suppressAddresses } from '../../db/feedback/suppressions';

export const RECIPIENT_SUPPRESSED = 'recipient_suppressed';

export async function suppressReportedRecipients(db: Db, outcomes: readonly Outcome[], source: string, now: Date): Promise<number> {
  const addresses = outcomes.flatMap((o) => (o.kind === 'failed' && o.code === RECIPIENT_SUPPRESSED && o.row.email ? [o.row.email] : []));
  if (addresses.length === 0) return 0;
  return suppressAddresses(db, addresses, { reason: 'provider', source: source.slice(0, 40) || 'provider', now });
}
