/**
 * POST /api/webhooks/<provider>: each provider's bounce and complaint events, handled by the
 * webhook of its registry entry (integration/delivery/providers/registry.ts): ses (SNS),
 * postmark (basic auth), resend (Svix). 404 for a name with no webhook.
 */
import type { APIRoute } from 'astro';
import { readSettingsNamed } from '../../../delivery/config';
import { webhookProvider } from '../../../delivery/providers/registry';
import { methodNotAllowed, reply } from '../../../delivery/providers/webhook-common';
import { getDb, runtimeEnv } from '../../../runtime';

const unknown = () => reply(404, { error: 'not_found', reason: 'No provider webhook by that name.' });

export const POST: APIRoute = ({ request, params }) => {
  const provider = webhookProvider(params.provider);
  if (!provider?.webhook) return unknown();
  return provider.webhook(request, { db: getDb(), settings: readSettingsNamed(runtimeEnv(), Object.keys(provider.settings)) });
};

export const ALL: APIRoute = ({ params }) => (webhookProvider(params.provider) ? methodNotAllowed() : unknown());
