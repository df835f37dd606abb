/**
 * A stand-in for the Cloudflare API call behind `wrangler secret put`: PUT
 * /client/v4/accounts/{account_id}/workers/scripts/{script_name}/secrets with a bearer token and
 * the body { name, text, type: "secret_text" } ("Add script secret", Cloudflare API reference
 * for Workers » Scripts » Secrets; wrangler 4's secretPutCommand sends exactly this). Answers
 * the v4 envelope { success, errors, messages, result }; refuses a wrong token (401, code
 * 10000), another account, an unknown type or a missing name (400), as the API does.
 */
import { json, startServer } from './standin-server';

export type WorkersSecretsStandIn = {
  apiBase: string;
  accountId: string;
  token: string;
  /** Secrets stored, by script then name. */
  secrets: Map<string, Map<string, string>>;
  close: () => Promise<void>;
};

const envelope = (result: unknown, errors: { code: number; message: string }[] = []) => ({ success: errors.length === 0, errors, messages: [], result });

export async function startWorkersSecretsStandIn(): Promise<WorkersSecretsStandIn> {
  const accountId = '0123456789abcdef0123456789abcdef';
  const token = 'workers-secrets-token';
  const secrets = new Map<string, Map<string, string>>();
  const server = await startServer((req, res, body) => {
    const match = /^\/client\/v4\/accounts\/([^/]+)\/workers\/scripts\/([^/]+)\/secrets$/.exec(req.url ?? '');
    if (!match || req.method !== 'PUT') return json(res, 404, envelope(null, [{ code: 7003, message: 'Could not route to this path' }]));
    if (req.headers.authorization !== `Bearer ${token}`) return json(res, 401, envelope(null, [{ code: 10000, message: 'Authentication error' }]));
    if (match[1] !== accountId) return json(res, 403, envelope(null, [{ code: 10000, message: 'Authentication error' }]));
    const secret = JSON.parse(body) as { name?: string; text?: string; type?: string };
    if (!secret.name || typeof secret.text !== 'string' || secret.type !== 'secret_text') {
      return json(res, 400, envelope(null, [{ code: 10021, message: 'a secret needs name, text and type secret_text' }]));
    }
    const script = decodeURIComponent(match[2]!);
    if (!secrets.has(script)) secrets.set(script, new Map());
    secrets.get(script)!.set(secret.name, secret.text);
    return json(res, 200, envelope({ name: secret.name, type: 'secret_text' }));
  });
  return { apiBase: `${server.url}/client/v4`, accountId, token, secrets, close: server.close };
}
