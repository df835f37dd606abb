/**
 * A stand-in for Turnstile's siteverify on 127.0.0.1, speaking its protocol: a form-encoded (or
 * JSON) POST of secret, response and remoteip; a JSON answer with success, error-codes,
 * challenge_ts and hostname. Tokens: `pass` (solved on blog.example), `pass-elsewhere` (solved on
 * another host), `used` (timeout-or-duplicate), `slow` (answers after 2 s); anything else is
 * invalid-input-response. A wrong secret is invalid-input-secret.
 */
import { json, sleep, startServer } from './standin-server';

export const TURNSTILE_SECRET = '0x4AAAAAAAtest-secret';
export type SiteverifyCall = { secret: string | null; response: string | null; remoteip: string | null };

export async function startTurnstileStandIn(hostname = 'blog.example') {
  const calls: SiteverifyCall[] = [];
  const server = await startServer(async (req, res, body) => {
    if (req.method !== 'POST' || req.url !== '/turnstile/v0/siteverify') return json(res, 405, { success: false, 'error-codes': ['bad-request'] });
    const form = req.headers['content-type']?.includes('application/json') ? new URLSearchParams(JSON.parse(body)) : new URLSearchParams(body);
    const call = { secret: form.get('secret'), response: form.get('response'), remoteip: form.get('remoteip') };
    calls.push(call);
    const fail = (code: string) => json(res, 200, { success: false, 'error-codes': [code], messages: [] });
    if (!call.secret) return fail('missing-input-secret');
    if (call.secret !== TURNSTILE_SECRET) return fail('invalid-input-secret');
    if (!call.response) return fail('missing-input-response');
    const ok = (host: string) =>
      json(res, 200, { success: true, 'error-codes': [], challenge_ts: new Date().toISOString(), hostname: host, action: '', cdata: '' });
    if (call.response === 'pass') return ok(hostname);
    if (call.response === 'pass-elsewhere') return ok('evil.example');
    if (call.response === 'used') return fail('timeout-or-duplicate');
    if (call.response === 'slow') {
      await sleep(2000);
      return ok(hostname);
    }
    return fail('invalid-input-response');
  });
  return { verifyUrl: `${server.url}/turnstile/v0/siteverify`, calls, close: server.close };
}
