/**
 * Builds the processor's dependencies from a Worker environment (bindings + vars + secrets).
 * Takes `env` as a parameter, so the scheduled handler, the CLI (wrangler's platform proxy)
 * and routes (via integration/runtime.ts, the composition root) share it; nothing here imports `cloudflare:workers`.
 */
import { createDb, type Db } from '../../db/client';
import { loadDeliveryConfig, type DeliveryConfig, type TransportName } from './config';
import type { DeliveryDeps } from './processor';
import { provider } from './providers/registry';
import type { Role } from './providers/types';
import type { Transport } from './transport';

export type DeliveryEnv = { DB: D1Database; [name: string]: unknown };

const createTransport = (name: TransportName, role: Role, config: DeliveryConfig, env: DeliveryEnv, db: Db): Transport =>
  provider(name)!.createTransport({ settings: config.settings, role, env, db });

export function buildDeliveryDeps(
  env: DeliveryEnv,
  overrides: { transport?: Transport; transactionalTransport?: Transport; settings?: Record<string, unknown> } = {},
): DeliveryDeps {
  const config = loadDeliveryConfig({ ...env, ...overrides.settings });
  const db = createDb(env.DB);
  const transport = overrides.transport ?? createTransport(config.transport, 'bulk', config, env, db);
  // A second transport only when transactional mail goes elsewhere (another provider, or Postmark's other stream).
  const separate = config.transactionalTransport !== config.transport || provider(config.transport)!.separateTransactional === true;
  const transactionalTransport =
    overrides.transactionalTransport ?? (separate && !overrides.transport ? createTransport(config.transactionalTransport, 'transactional', config, env, db) : undefined);
  return { db, transport, ...(transactionalTransport ? { transactionalTransport } : {}), config, clock: () => new Date() };
}
