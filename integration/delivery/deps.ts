/**
 * Builds the processor's dependencies from a Worker environment (bindings + vars + secrets).
 * Takes `env` as a parameter, so the scheduled handler, the CLI (wrangler's platform proxy)
 * and routes (via integration/runtime.ts, the composition root) share it; nothing here imports `cloudflare:workers`.
 */
import { createDb, type Db } from '../../db/client';
import { ConfigError, loadDeliveryConfig, type DeliveryConfig, type TransportName } from './config';
import type { DeliveryDeps } from './processor';
import { provider } from './providers/registry';
import type { Role } from './providers/types';
import type { Transport } from './transport';

export type DeliveryEnv = { DB: D1Database; [name: string]: unknown };

/** Where the build's language settings travel in the environment (integration/runtime.ts sets them). */
export const I18N_ENV = '__NOTIFY_I18N';
export type EmailLocales = DeliveryConfig['locales'];
const ENGLISH_ONLY: EmailLocales = { defaultLocale: 'en', locales: ['en'], messages: {} };

/**
 * The Worker's environment with `DB` set to the D1 binding the host named (the `binding` option,
 * which the build registers content into), so every reader of `env.DB` uses that database.
 */
export function withD1Binding(bindings: Record<string, unknown>, binding: string): DeliveryEnv {
  const d1 = bindings[binding] as D1Database | undefined;
  if (!d1 || typeof (d1 as { prepare?: unknown }).prepare !== 'function') {
    throw new ConfigError(
      `No D1 binding named ${binding} in this Worker: add it to d1_databases in the wrangler config, ` +
        "or set the integration's `binding` option to the binding's name.",
    );
  }
  return { ...bindings, DB: d1 };
}

const createTransport = (name: TransportName, role: Role, config: DeliveryConfig, env: DeliveryEnv, db: Db): Transport =>
  provider(name)!.createTransport({ settings: config.settings, role, env, db });

export function buildDeliveryDeps(
  env: DeliveryEnv,
  overrides: { transport?: Transport; transactionalTransport?: Transport; settings?: Record<string, unknown> } = {},
): DeliveryDeps {
  const config = { ...loadDeliveryConfig({ ...env, ...overrides.settings }), locales: (env[I18N_ENV] as EmailLocales | undefined) ?? ENGLISH_ONLY };
  const db = createDb(env.DB);
  const transport = overrides.transport ?? createTransport(config.transport, 'bulk', config, env, db);
  // A second transport only when transactional mail goes elsewhere (another provider, or Postmark's other stream).
  const separate = config.transactionalTransport !== config.transport || provider(config.transport)!.separateTransactional === true;
  const transactionalTransport =
    overrides.transactionalTransport ??
    (separate && !overrides.transport ? createTransport(config.transactionalTransport, 'transactional', config, env, db) : undefined);
  return { db, transport, ...(transactionalTransport ? { transactionalTransport } : {}), config, clock: () => new Date() };
}
