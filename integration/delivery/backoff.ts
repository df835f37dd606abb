/**
 * When to try a failed send again: exponential backoff with full jitter
 * (delay = random × min(cap, base × 2^(attempt-1))), never sooner than the provider's
 * Retry-After. Full jitter spreads a burst of failures so they do not retry in lockstep.
 */
const BACKOFF_BASE_SECONDS = 60;
const BACKOFF_FACTOR = 2;
export const BACKOFF_CAP_SECONDS = 6 * 60 * 60;
const MIN_DELAY_SECONDS = 1;

/**
 * Seconds to wait after the `attempt`-th failed attempt (1-based).
 * `random` returns [0, 1); injected so tests are deterministic.
 */
export function retryDelaySeconds(attempt: number, random: () => number, retryAfterSeconds?: number): number {
  if (!Number.isInteger(attempt) || attempt < 1) throw new Error(`attempt must be a positive integer, got ${attempt}`);
  const ceiling = Math.min(BACKOFF_CAP_SECONDS, BACKOFF_BASE_SECONDS * BACKOFF_FACTOR ** (attempt - 1));
  const jittered = Math.floor(random() * ceiling);
  const floor = retryAfterSeconds !== undefined && Number.isFinite(retryAfterSeconds) ? Math.ceil(retryAfterSeconds) : 0;
  return Math.max(MIN_DELAY_SECONDS, jittered, floor);
}
