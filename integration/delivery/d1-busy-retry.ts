/**
 * A D1 binding that retries statements refused with SQLITE_BUSY. Locally, two processes
 * (two `npx astro-d1-notify notify`, or one beside `astro dev`) open the same SQLite file under
 * `.wrangler/state`; one's write can find the other's lock and fail at once. A refused
 * statement did not run (D1 statements and batches are atomic), so running it again is safe.
 * Deployed D1 serialises writes itself and never needs this.
 */
export type BusyRetryOptions = {
  /** Attempts in all, the first included. */
  attempts?: number;
  /** Delay before the first retry; doubles each time, with jitter. */
  baseDelayMs?: number;
  maxDelayMs?: number;
  /** Told before each wait, e.g. to say so in the CLI's output. */
  onRetry?: (info: { attempt: number; attempts: number; delayMs: number; error: string }) => void;
  sleep?: (ms: number) => Promise<void>;
};

export const DEFAULT_BUSY_ATTEMPTS = 8;
const DEFAULT_BASE_DELAY_MS = 100;
const DEFAULT_MAX_DELAY_MS = 3_000;

/**
 * Errors from wrangler's platform proxy may come from another realm: match on shape, not
 * `instanceof`. Local D1 reports a lock met at commit as "Failed to get session commit token:
 * internal error" (workerd logs the SQLITE_BUSY behind it); the transaction did not commit.
 */
export const isBusyError = (error: unknown): boolean => {
  let e: unknown = error;
  for (let depth = 0; depth < 5 && e !== null && e !== undefined; depth++) {
    const message = typeof e === 'object' && 'message' in e ? String((e as { message: unknown }).message) : String(e);
    if (/SQLITE_BUSY|database is locked|Failed to get session commit token/i.test(message)) return true;
    e = typeof e === 'object' && 'cause' in e ? (e as { cause: unknown }).cause : undefined;
  }
  return false;
};

function retrier(options: BusyRetryOptions) {
  const attempts = options.attempts ?? DEFAULT_BUSY_ATTEMPTS;
  const base = options.baseDelayMs ?? DEFAULT_BASE_DELAY_MS;
  const max = options.maxDelayMs ?? DEFAULT_MAX_DELAY_MS;
  const sleep = options.sleep ?? ((ms: number) => new Promise<void>((r) => setTimeout(r, ms)));
  return async <T>(work: () => Promise<T>): Promise<T> => {
    for (let attempt = 1; ; attempt++) {
      try {
        return await work();
      } catch (error) {
        if (!isBusyError(error) || attempt >= attempts) throw error;
        const delayMs = Math.round(Math.min(max, base * 2 ** (attempt - 1)) * (0.5 + Math.random() / 2));
        options.onRetry?.({ attempt: attempt + 1, attempts, delayMs, error: error instanceof Error ? error.message : String(error) });
        await sleep(delayMs);
      }
    }
  };
}

type Retry = ReturnType<typeof retrier>;
const REAL = Symbol('real statement');

class RetryingStatement {
  [REAL]: D1PreparedStatement;
  constructor(
    real: D1PreparedStatement,
    private readonly retry: Retry,
  ) {
    this[REAL] = real;
  }
  bind(...values: unknown[]) {
    return new RetryingStatement(this[REAL].bind(...values), this.retry);
  }
  first(column?: string) {
    return this.retry(() => (column === undefined ? this[REAL].first() : this[REAL].first(column)));
  }
  run() {
    return this.retry(() => this[REAL].run());
  }
  all() {
    return this.retry(() => this[REAL].all());
  }
  raw(options?: { columnNames?: boolean }) {
    return this.retry(() => this[REAL].raw(options as { columnNames: true }));
  }
}

/** `d1` with every statement, batch and exec retried on SQLITE_BUSY. */
export function withBusyRetry(d1: D1Database, options: BusyRetryOptions = {}): D1Database {
  const retry = retrier(options);
  const unwrap = (s: D1PreparedStatement): D1PreparedStatement => (s as unknown as RetryingStatement)[REAL] ?? s;
  const wrapped = {
    prepare: (query: string) => new RetryingStatement(d1.prepare(query), retry),
    batch: (statements: D1PreparedStatement[]) => retry(() => d1.batch(statements.map(unwrap))),
    exec: (query: string) => retry(() => d1.exec(query)),
    dump: () => d1.dump(),
    withSession: (...args: Parameters<D1Database['withSession']>) => d1.withSession(...args),
  };
  return wrapped as unknown as D1Database;
}
