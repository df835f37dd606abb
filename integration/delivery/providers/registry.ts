/**
 * Every provider, once. Adding one is a folder providers/<name>/ (transport, webhook, index.ts)
 * and a line here; the transport names, pacing defaults, settings schema, transport factory,
 * webhook routes and feedback providers are all derived from this list.
 */
import { cloudflareProvider } from './cloudflare';
import { devProvider } from './dev';
import { gmailProvider } from './gmail';
import { postmarkProvider } from './postmark';
import { resendProvider } from './resend';
import { sesProvider } from './ses';
import { webhookPath, type ProviderDefinition } from './types';

export const PROVIDERS = [
  devProvider,
  gmailProvider,
  sesProvider,
  postmarkProvider,
  resendProvider,
  cloudflareProvider,
] as const satisfies readonly ProviderDefinition[];

export const TRANSPORT_NAMES = PROVIDERS.map((p) => p.name) as [string, ...string[]];

export const provider = (name: string): ProviderDefinition | undefined => PROVIDERS.find((p) => p.name === name);

/** Providers whose events may be applied (db/feedback/events.ts takes any well-formed name). */
export const FEEDBACK_PROVIDERS: readonly string[] = PROVIDERS.filter((p) => p.feedback).map((p) => p.name);

/** The webhook routes (/api/webhooks/<name>), exempt from the Origin check: each authenticates its provider. */
export const WEBHOOK_PATHS: readonly string[] = PROVIDERS.filter((p) => p.webhook).map((p) => webhookPath(p.name));

export const webhookProvider = (name: string | undefined): ProviderDefinition | undefined => {
  const found = name ? provider(name) : undefined;
  return found?.webhook ? found : undefined;
};
