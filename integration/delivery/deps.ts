/**
 * Builds the processor's dependencies from a Worker environment (bindings + vars + secrets).
 * Takes `env` as a parameter, so the scheduled handler, the CLI (wrangler's platform proxy)
 * and routes (via runtime-deps.ts) share it; nothing here imports `cloudflare:workers`.
 */
import { createDb } from '../../db/client';
import { loadDeliveryConfig } from './config';
import type { DeliveryDeps } from './processor';
import type { Transport } from './transport';
import { createDevCaptureTransport } from './transports/dev-capture';
import { createGmailTransport } from './transports/gmail';

export type DeliveryEnv = { DB: D1Database; [name: string]: unknown };

export function buildDeliveryDeps(env: DeliveryEnv, overrides: { transport?: Transport; settings?: Record<string, unknown> } = {}): DeliveryDeps {
  const config = loadDeliveryConfig({ ...env, ...overrides.settings });
  const db = createDb(env.DB);
  const transport =
    overrides.transport ??
    (config.transport === 'gmail' && config.gmail
      ? createGmailTransport({ clientId: config.gmail.clientId, clientSecret: config.gmail.clientSecret, refreshToken: config.gmail.refreshToken })
      : createDevCaptureTransport(db));
  return { db, transport, config, clock: () => new Date() };
}
