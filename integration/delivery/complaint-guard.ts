/**
 * Before a processor run claims bulk mail: is sending paused, or must it pause now because the
 * complaint rate passed 0.3% over the last 1,000 sends (db/delivery/pause.ts)? The moment it
 * pauses is logged once, loudly; every paused run says so in its summary.
 */
import type { Db } from '../../db/client';
import { checkComplaintRate } from '../../db/delivery/pause';

export const RESUME_HINT = 'run `npx astro-d1-notify delivery:resume --remote` (the deployed database) once the cause is fixed';

export async function bulkPauseCheck(
  db: Db,
  now: Date,
  log: Pick<Console, 'warn'> = console,
): Promise<{ since?: string; reason?: string; howToResume: string } | null> {
  const { pause, newlyPaused } = await checkComplaintRate(db, now);
  if (!pause.paused) return null;
  if (newlyPaused) {
    log.warn(JSON.stringify({ event: 'bulk_sending_paused', reason: pause.reason, complaints: pause.complaints, sends: pause.sends, resume: RESUME_HINT }));
  }
  return { since: pause.since, reason: pause.reason, howToResume: RESUME_HINT };
}
