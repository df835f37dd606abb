// The only module that touches `cloudflare:workers`: everything else takes `db`,
// configuration and transports as parameters, so it runs the same in tests and CLIs.
import { env, waitUntil } from 'cloudflare:workers';
import { createDb, type Db } from '../db/client';

export type RuntimeEnv = {
  DB: D1Database;
  [name: string]: unknown;
};

export const runtimeEnv = (): RuntimeEnv => env as unknown as RuntimeEnv;

/** A string setting from vars or secrets (wrangler.jsonc `vars`, `.dev.vars`, `wrangler secret put`). */
export function setting(name: string): string | undefined {
  const value = runtimeEnv()[name];
  return typeof value === 'string' && value !== '' ? value : undefined;
}

export const getDb = (): Db => createDb(runtimeEnv().DB);

/** Work that finishes after the response is sent (the Worker stays alive for it). */
export const inBackground = (work: Promise<unknown>): void => waitUntil(work);
