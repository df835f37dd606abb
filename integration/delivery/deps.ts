/**
 * Builds the processor's dependencies from a Worker environment (bindings + vars + secrets).
 * Takes `env` as a parameter, so the scheduled handler, the CLI (wrangler's platform proxy)
 * and routes (via integration/runtime.ts, the composition root) share it; nothing here imports `cloudflare:workers`.
 */
import { createDb, type Db } from '../../db/client';
import { ConfigError, loadDeliveryConfig, type DeliveryConfig, type TransportName } from './config';
import type { DeliveryDeps } from './processor';
import type { Transport } from './transport';
import { createCloudflareEmailTransport, type SendEmailBinding } from './transports/cloudflare-email';
import { createDevCaptureTransport } from './transports/dev-capture';
import { createGmailTransport } from './transports/gmail';
import { createPostmarkTransport } from './transports/postmark';
import { createResendTransport } from './transports/resend';
import { createSesTransport } from './transports/ses';

export type DeliveryEnv = { DB: D1Database; [name: string]: unknown };

/**
 * The Worker's environment with `DB` set to the D1 binding the host named (the `binding` option,
 * which the build registers content into), so every reader of `env.DB` uses that database.
 */
export function withD1Binding(bindings: Record<string, unknown>, binding: string): DeliveryEnv {
  const d1 = bindings[binding] as D1Database | undefined;
  if (!d1 || typeof (d1 as { prepare?: unknown }).prepare !== 'function') {
    throw new ConfigError(`No D1 binding named ${binding} in this Worker: add it to d1_databases in the wrangler config, or set the integration's \`binding\` option to the binding's name.`);
  }
  return { ...bindings, DB: d1 };
}

type Role = 'bulk' | 'transactional';

function createTransport(name: TransportName, role: Role, config: DeliveryConfig, env: DeliveryEnv, db: Db): Transport {
  switch (name) {
    case 'gmail':
      return createGmailTransport({ clientId: config.gmail!.clientId, clientSecret: config.gmail!.clientSecret, refreshToken: config.gmail!.refreshToken });
    case 'ses':
      return createSesTransport(config.ses!);
    case 'postmark': {
      const { serverToken, messageStream, transactionalStream, apiBase } = config.postmark!;
      return createPostmarkTransport({ serverToken, messageStream: role === 'bulk' ? messageStream : transactionalStream, ...(apiBase ? { apiBase } : {}) });
    }
    case 'resend':
      return createResendTransport(config.resend!);
    case 'cloudflare': {
      const binding = env[config.cloudflare!.binding] as SendEmailBinding | undefined;
      if (typeof binding?.send !== 'function') {
        throw new ConfigError(`Cloudflare Email Service needs a send_email binding named ${config.cloudflare!.binding} in wrangler.jsonc (README "Cloudflare Email Service")`);
      }
      return createCloudflareEmailTransport({ binding });
    }
    case 'dev':
      return createDevCaptureTransport(db);
  }
}

export function buildDeliveryDeps(
  env: DeliveryEnv,
  overrides: { transport?: Transport; transactionalTransport?: Transport; settings?: Record<string, unknown> } = {},
): DeliveryDeps {
  const config = loadDeliveryConfig({ ...env, ...overrides.settings });
  const db = createDb(env.DB);
  const transport = overrides.transport ?? createTransport(config.transport, 'bulk', config, env, db);
  // A second transport only when transactional mail goes elsewhere (another provider, or Postmark's other stream).
  const separate = config.transactionalTransport !== config.transport || config.transport === 'postmark';
  const transactionalTransport =
    overrides.transactionalTransport ?? (separate && !overrides.transport ? createTransport(config.transactionalTransport, 'transactional', config, env, db) : undefined);
  return { db, transport, ...(transactionalTransport ? { transactionalTransport } : {}), config, clock: () => new Date() };
}
