import { AstroError } from 'astro/errors';
import type { BatchLimits, MeteredSqlRunner, SqlStatement } from '../../db/sql-runner';

/** Kept well inside the API's request limits; a larger write is staged (see write.ts). */
const HTTP_LIMITS: BatchLimits = { statements: 200, bytes: 1_000_000 };

/** Cloudflare's D1 HTTP API: POST {apiBase}/accounts/{account}/d1/database/{id}/query. */
export type D1HttpOptions = {
  apiBase: string;
  accountId: string;
  databaseId: string;
  apiToken: string;
  fetch?: typeof fetch;
  /** Attempts per request for 429, 5xx and network errors. */
  attempts?: number;
  /** First backoff; doubled per retry (a Retry-After header wins). */
  backoffMs?: number;
  /** The largest batch sent in one request (one request is one transaction). */
  limits?: BatchLimits;
  sleep?: (ms: number) => Promise<void>;
};

type Envelope = {
  success: boolean;
  errors?: { code?: number; message: string }[];
  messages?: unknown[];
  result?: { results?: unknown[]; success?: boolean; meta?: { changes?: number } }[] | null;
};

export class D1HttpError extends Error {
  constructor(
    message: string,
    readonly status: number,
  ) {
    super(message);
    this.name = 'D1HttpError';
  }
}

const retryable = (status: number) => status === 429 || status >= 500;

export function createD1HttpExecutor(options: D1HttpOptions): MeteredSqlRunner & { retries: number } {
  const doFetch = options.fetch ?? fetch;
  const attempts = options.attempts ?? 4;
  const backoffMs = options.backoffMs ?? 250;
  const sleep = options.sleep ?? ((ms: number) => new Promise((r) => setTimeout(r, ms)));
  const apiBase = options.apiBase.replace(/\/+$/, '');
  const url = `${apiBase}/accounts/${encodeURIComponent(options.accountId)}/d1/database/${encodeURIComponent(options.databaseId)}/query`;
  let roundTrips = 0;
  let retries = 0;

  async function post(body: string): Promise<NonNullable<Envelope['result']>> {
    for (let attempt = 1; ; attempt++) {
      let response: Response;
      try {
        roundTrips++;
        response = await doFetch(url, {
          method: 'POST',
          headers: { authorization: `Bearer ${options.apiToken}`, 'content-type': 'application/json' },
          body,
        });
      } catch (err) {
        // A network error may or may not have reached D1; the upsert is idempotent, so retry.
        if (attempt >= attempts) throw new D1HttpError(`D1 API unreachable at ${url}: ${(err as Error).message}`, 0);
        retries++;
        await sleep(backoffMs * 2 ** (attempt - 1));
        continue;
      }
      if (retryable(response.status) && attempt < attempts) {
        retries++;
        const retryAfter = Number(response.headers.get('retry-after'));
        await response.body?.cancel();
        await sleep(Number.isFinite(retryAfter) && retryAfter > 0 ? retryAfter * 1000 : backoffMs * 2 ** (attempt - 1));
        continue;
      }
      const envelope = (await response.json().catch(() => null)) as Envelope | null;
      const detail = envelope?.errors?.map((e) => e.message).join('; ') || response.statusText;
      if (response.status === 401 || response.status === 403) {
        throw new AstroError(
          `The Cloudflare API refused the D1 request (${response.status}: ${detail}).`,
          'Check CLOUDFLARE_API_TOKEN: it must be a valid API token with the "D1 Edit" permission for CLOUDFLARE_ACCOUNT_ID.',
        );
      }
      if (response.status === 404) {
        throw new AstroError(
          `The Cloudflare API does not know D1 database ${options.databaseId} in account ${options.accountId} (404: ${detail}).`,
          'Check CLOUDFLARE_ACCOUNT_ID and the database id (CLOUDFLARE_D1_DATABASE_ID, the `databaseId` option, or database_id in wrangler.jsonc).',
        );
      }
      if (!response.ok || !envelope?.success || !Array.isArray(envelope.result)) {
        throw new D1HttpError(`D1 API error (${response.status}): ${detail}`, response.status);
      }
      return envelope.result;
    }
  }

  return {
    limits: options.limits ?? HTTP_LIMITS,
    get roundTrips() {
      return roundTrips;
    },
    get retries() {
      return retries;
    },
    async query<T>(s: SqlStatement) {
      const [first] = await post(JSON.stringify({ sql: s.sql, params: s.params }));
      return (first?.results ?? []) as T[];
    },
    async batch(statements: SqlStatement[]) {
      const result = await post(JSON.stringify({ batch: statements.map((s) => ({ sql: s.sql, params: s.params })) }));
      return result.map((r) => r.meta?.changes ?? 0);
    },
  };
}
