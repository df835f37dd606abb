/**
 * The webhook routes in the built Worker on local workerd (plain HTTP, no browser needed):
 * the provider's request, with no Origin and SNS's text/plain body, gets past the site's
 * Origin check to the route's own authentication; the written rows land in the site's D1.
 */
import { Agent, request as httpRequest } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isSuppressed } from '../../db/feedback/suppressions';
import { SITE_WEBHOOK_SECRETS, startSite, type Site } from './site';

let site: Site;
beforeAll(async () => {
  site = await startSite();
});
afterAll(async () => site?.stop());

const post = (path: string, body: string, headers: Record<string, string>) => fetch(`${site.baseUrl}${path}`, { method: 'POST', headers, body });

async function svix(id: string, body: string) {
  const key = Uint8Array.from(atob(SITE_WEBHOOK_SECRETS.resend.slice('whsec_'.length)), (c) => c.charCodeAt(0));
  const timestamp = String(Math.floor(Date.now() / 1000));
  const hmac = await crypto.subtle.importKey('raw', key, { name: 'HMAC', hash: 'SHA-256' }, false, ['sign']);
  const sig = new Uint8Array(await crypto.subtle.sign('HMAC', hmac, new TextEncoder().encode(`${id}.${timestamp}.${body}`)));
  return { 'svix-id': id, 'svix-timestamp': timestamp, 'svix-signature': `v1,${btoa(String.fromCharCode(...sig))}` };
}

describe('webhook routes in the built site', () => {
  it('SES: an SNS-style text/plain POST with no Origin reaches the route (503 while SES_SNS_TOPIC_ARNS is unset), not the CSRF 403', async () => {
    const response = await post('/api/webhooks/ses', '{"Type":"Notification"}', {
      'content-type': 'text/plain; charset=UTF-8',
      'x-amz-sns-message-type': 'Notification',
    });
    expect(response.status).toBe(503);
    expect(await response.json()).toMatchObject({ error: 'not_configured' });
    // The same kind of request to a page route is still refused by the Origin check.
    expect((await post('/subscribe', 'email=a@example.org', { 'content-type': 'text/plain' })).status).toBe(403);
    // One route serves the registry's webhooks; a provider without one, or no provider, is 404.
    for (const name of ['mailgun', 'gmail', 'dev']) {
      const response = await post(`/api/webhooks/${name}`, '{}', { 'content-type': 'application/json' });
      expect(response.status).toBe(404);
      expect(await response.json()).toMatchObject({ error: 'not_found' });
    }
  });

  it('Resend: a Svix-signed email.bounced suppresses the address; a forged one is 401; GET is 405', async () => {
    const body = JSON.stringify({
      type: 'email.bounced',
      created_at: new Date().toISOString(),
      data: { email_id: 'e-site-1', to: ['site-bounce@example.org'], bounce: { type: 'Permanent', subType: 'General', message: 'unknown user' } },
    });
    const ok = await post('/api/webhooks/resend', body, { 'content-type': 'application/json', ...(await svix('msg_site_1', body)) });
    expect(ok.status).toBe(200);
    expect(await ok.json()).toEqual({ ok: true, events: 1, applied: 1 });
    expect(await isSuppressed(site.db, 'site-bounce@example.org')).toBe(true);
    const forged = await post('/api/webhooks/resend', body, {
      'content-type': 'application/json',
      ...(await svix('msg_site_2', body)),
      'svix-signature': 'v1,AAAA',
    });
    expect(forged.status).toBe(401);
    expect((await fetch(`${site.baseUrl}/api/webhooks/resend`)).status).toBe(405);
  });

  it('Postmark: basic auth decides (401 without, 200 with), and a body over 256 KiB is 413', async () => {
    const record = JSON.stringify({
      RecordType: 'SpamComplaint',
      ID: 9001,
      Type: 'SpamComplaint',
      TypeCode: 100001,
      MessageID: 'pm-site-1',
      Email: 'site-complaint@example.org',
      BouncedAt: new Date().toISOString(),
    });
    const auth = `Basic ${btoa(`${SITE_WEBHOOK_SECRETS.postmarkUser}:${SITE_WEBHOOK_SECRETS.postmarkPassword}`)}`;
    expect((await post('/api/webhooks/postmark', record, { 'content-type': 'application/json' })).status).toBe(401);
    expect((await post('/api/webhooks/postmark', record, { 'content-type': 'application/json', authorization: auth })).status).toBe(200);
    expect(await isSuppressed(site.db, 'site-complaint@example.org')).toBe(true);
    const huge = await post('/api/webhooks/postmark', 'x'.repeat(256 * 1024 + 1), { 'content-type': 'application/json', authorization: auth });
    expect(huge.status).toBe(413);
  });
});

/** One request on the given agent (one kept-alive socket), answered as [status, body]. */
function onSocket(agent: Agent, path: string, method: string, headers: Record<string, string>, body?: string): Promise<[number, string]> {
  return new Promise((resolve, reject) => {
    const req = httpRequest(`${site.baseUrl}${path}`, { method, headers, agent }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (text += chunk));
      res.on('end', () => resolve([res.statusCode ?? 0, text]));
    });
    req.on('error', reject);
    req.end(body);
  });
}

describe('a refusal reads the body before it answers (local proxy, kept-alive connection)', () => {
  it('403 cross-site POSTs and 401 webhooks with bodies never leave the next request on the connection a 500', async () => {
    const agent = new Agent({ keepAlive: true, maxSockets: 1 });
    const body = `email=${'a'.repeat(64 * 1024)}@example.org`;
    const statuses: number[] = [];
    try {
      for (let i = 0; i < 15; i++) {
        const [refused] = await onSocket(
          agent,
          '/subscribe',
          'POST',
          { 'content-type': 'application/x-www-form-urlencoded', origin: 'https://evil.example' },
          body,
        );
        const [unauthorized] = await onSocket(
          agent,
          '/api/webhooks/postmark',
          'POST',
          { 'content-type': 'application/json' },
          JSON.stringify({ pad: 'x'.repeat(32 * 1024) }),
        );
        const [next, text] = await onSocket(agent, '/subscribe', 'GET', {});
        statuses.push(refused, unauthorized, next);
        expect(text).not.toMatch(/Network connection lost|internal error; reference/);
      }
    } finally {
      agent.destroy();
    }
    expect([...new Set(statuses)].sort()).toEqual([200, 401, 403]);
  });
});
