/**
 * What a provider is to the rest of the product: one entry in providers/registry.ts, defined in
 * providers/<name>/index.ts. Every list (transport names, pacing defaults, settings, webhook
 * routes, feedback providers) is derived from the registry.
 */
import type { Db } from '../../../db/client';
import type { Settings, SettingsShape } from '../settings-schema';
import type { Transport } from '../transport';

export type Role = 'bulk' | 'transactional';

export type TransportContext = { settings: Settings; role: Role; env: Record<string, unknown>; db: Db };

export type WebhookContext = { db: Db; settings: Settings };

export type ProviderDefinition = {
  /** Its MAIL_TRANSPORT value. */
  readonly name: string;
  /** Its variables, merged into the one settings schema (config.ts). */
  readonly settings: SettingsShape;
  /** Variables it cannot send without; checked only when MAIL_TRANSPORT or MAIL_TRANSPORT_TRANSACTIONAL names it. */
  readonly required: readonly string[];
  /** RATE_PER_MINUTE / DAILY_CAP when not set (its documented starting limits; 0 = none). */
  readonly pacing: { readonly ratePerMinute: number; readonly dailyCap: number };
  /** A reason it may not be used as configured, or undefined. */
  check?(settings: Settings, roles: ReadonlySet<Role>): string | undefined;
  /** Transactional mail needs a transport of its own even from the same provider (Postmark's other stream). */
  readonly separateTransactional?: boolean;
  createTransport(context: TransportContext): Transport;
  /** Its bounce and complaint webhook, mounted at /api/webhooks/<name>. */
  webhook?(request: Request, context: WebhookContext): Promise<Response>;
  /** Whether it reports delivery events (webhook or queue): the `provider` of its feedback events. */
  readonly feedback: boolean;
};

export const webhookPath = (name: string): string => `/api/webhooks/${name}`;
