/**
 * Builds the processor's dependencies from a Worker environment (bindings + vars + secrets).
 * Takes `env` as a parameter, so the scheduled handler, the CLI (wrangler's platform proxy)
 * and routes (via integration/runtime.ts, the composition root) share it; nothing here imports `cloudflare:workers`.
 */
import { createDb, type Db } from '../../db/client';
import { ConfigError, loadDeliveryConfig, type DeliveryConfig, type TransportName } from './config';
import type { DeliveryDeps } from './processor';
import type { Transport } from './transport';
import { createCloudflareEmailTransport, type SendEmailBinding } from './providers/cloudflare/transport';
import { createDevCaptureTransport } from './providers/dev/transport';
import { createGmailTransport } from './providers/gmail/transport';
import { createPostmarkTransport } from './providers/postmark/transport';
import { createResendTransport } from './providers/resend/transport';
import { createSesTransport } from './providers/ses/transport';

export type DeliveryEnv = { DB: D1Database; [name: string]: unknown };

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
