import { describe, expect, it } from 'vitest';
import { finishRequest, MAX_DRAIN_BYTES } from './drain';
import {
  crossOriginForbiddenResponse,
  isForbiddenCrossOrigin,
  matchesExemptPath,
  ONE_CLICK_PATH,
  originCheckApplies,
  PROCESS_PATH,
  WEBHOOK_PATHS,
} from './origin-check';

const SITE = 'https://blog.example';
const req = (path: string, init: { method?: string; origin?: string; type?: string | null } = {}) => {
  const headers = new Headers();
  if (init.origin) headers.set('origin', init.origin);
  if (init.type !== null) headers.set('content-type', init.type ?? 'application/x-www-form-urlencoded');
  return new Request(`${SITE}${path}`, { method: init.method ?? 'POST', headers, body: init.method === 'GET' ? undefined : 'a=1' });
};

describe('origin check (our replacement for Astro checkOrigin)', () => {
  it('refuses a cross-origin form POST', () => {
    expect(isForbiddenCrossOrigin(req('/subscribe', { origin: 'https://evil.example' }))).toBe(true);
    expect(isForbiddenCrossOrigin(req('/subscribe', { origin: 'https://evil.example', type: 'multipart/form-data; boundary=x' }))).toBe(true);
    expect(isForbiddenCrossOrigin(req('/preferences', { origin: 'https://evil.example', type: 'text/plain' }))).toBe(true);
  });

  it('refuses a form POST with no Origin at all, and one with no content type', () => {
    expect(isForbiddenCrossOrigin(req('/account/login'))).toBe(true);
    expect(isForbiddenCrossOrigin(req('/account/logout', { type: null }))).toBe(true);
  });

  it('lets same-origin form POSTs through', () => {
    expect(isForbiddenCrossOrigin(req('/subscribe', { origin: SITE }))).toBe(false);
  });

  it('lets safe methods and JSON bodies through (JSON needs a CORS preflight that we never grant)', () => {
    expect(isForbiddenCrossOrigin(req('/subscribe', { method: 'GET', origin: 'https://evil.example' }))).toBe(false);
    expect(isForbiddenCrossOrigin(req('/api/subscribe', { type: 'application/json' }))).toBe(false);
  });

  it('refuses a cross-site form POST that carries an Authorization header (browsers attach cached Basic credentials)', () => {
    for (const path of ['/preferences', '/account/login', '/unsubscribe', '/account/logout']) {
      const basic = new Request(`${SITE}${path}`, {
        method: 'POST',
        headers: { origin: 'https://evil.example', 'content-type': 'application/x-www-form-urlencoded', authorization: 'Basic dXNlcjpwYXNz' },
        body: 'a=1',
      });
      expect(isForbiddenCrossOrigin(basic), path).toBe(true);
      const bearer = new Request(`${SITE}${path}`, { method: 'POST', headers: { authorization: 'Bearer s3cret' } });
      expect(isForbiddenCrossOrigin(bearer), path).toBe(true);
    }
  });

  it('exempts the process route by path (it has its own bearer check), not by header', () => {
    expect(PROCESS_PATH).toBe('/api/notifications/process');
    const call = new Request(`${SITE}${PROCESS_PATH}`, { method: 'POST', headers: { authorization: 'Bearer s3cret' } });
    expect(isForbiddenCrossOrigin(call)).toBe(false);
    expect(isForbiddenCrossOrigin(req(`${PROCESS_PATH}/x`, { origin: 'https://evil.example' }))).toBe(true);
  });

  it('exempts exactly the RFC 8058 one-click path', () => {
    expect(ONE_CLICK_PATH).toBe('/api/unsubscribe/one-click');
    expect(isForbiddenCrossOrigin(req(`${ONE_CLICK_PATH}?token=abc`))).toBe(false);
    expect(isForbiddenCrossOrigin(req(`${ONE_CLICK_PATH}?token=abc`, { origin: 'https://mail.example' }))).toBe(false);
    expect(isForbiddenCrossOrigin(req(`${ONE_CLICK_PATH}/other`, { origin: 'https://mail.example' }))).toBe(true);
    expect(isForbiddenCrossOrigin(req('/api/unsubscribe/one-click-not', { origin: 'https://mail.example' }))).toBe(true);
    expect(isForbiddenCrossOrigin(req('/unsubscribe', { origin: 'https://mail.example' }))).toBe(true);
  });

  it('exempts exactly the three provider webhooks (each authenticates the provider itself)', () => {
    expect([...WEBHOOK_PATHS].sort()).toEqual(['/api/webhooks/postmark', '/api/webhooks/resend', '/api/webhooks/ses']);
    // SNS posts its JSON as text/plain with no Origin: a form-like request the check would refuse.
    expect(isForbiddenCrossOrigin(req('/api/webhooks/ses', { type: 'text/plain; charset=UTF-8' }))).toBe(false);
    expect(isForbiddenCrossOrigin(req('/api/webhooks/resend', { type: 'application/json' }))).toBe(false);
    expect(isForbiddenCrossOrigin(req('/api/webhooks/other', { type: 'text/plain' }))).toBe(true);
    expect(isForbiddenCrossOrigin(req('/api/webhooks/ses/../../subscribe', { type: 'text/plain' }))).toBe(true);
  });
});

describe('isForbiddenCrossOrigin under a route base (Astro base + prefix)', () => {
  it('exempts the routes where they are mounted, and only there', () => {
    const at = (path: string) =>
      new Request(`${SITE}${path}`, { method: 'POST', headers: { origin: 'https://evil.example', 'content-type': 'application/x-www-form-urlencoded' } });
    expect(isForbiddenCrossOrigin(at(`/journal/news${ONE_CLICK_PATH}`), undefined, '/journal/news')).toBe(false);
    expect(isForbiddenCrossOrigin(at(`/journal/news${WEBHOOK_PATHS[0]}`), undefined, '/journal/news')).toBe(false);
    expect(isForbiddenCrossOrigin(at(ONE_CLICK_PATH), undefined, '/journal/news')).toBe(true); // not mounted there
    expect(isForbiddenCrossOrigin(at('/journal/news/subscribe'), undefined, '/journal/news')).toBe(true);
  });
});

describe('a refusal reads the body first (server/drain.ts)', () => {
  const streamed = (size: number, site = SITE) => {
    let pulled = 0;
    const body = new ReadableStream<Uint8Array>({
      pull(controller) {
        if (pulled >= size) return controller.close();
        const chunk = new Uint8Array(Math.min(64 * 1024, size - pulled));
        pulled += chunk.byteLength;
        controller.enqueue(chunk);
      },
    });
    const request = new Request(`${site}/subscribe`, {
      method: 'POST',
      headers: { origin: 'https://evil.example', 'content-type': 'application/x-www-form-urlencoded' },
      body,
      duplex: 'half',
    } as RequestInit);
    return { request, pulled: () => pulled };
  };

  it('the 403 of a cross-site POST leaves after the whole body was read', async () => {
    const { request, pulled } = streamed(200_000);
    const response = await finishRequest(request, async () => (isForbiddenCrossOrigin(request) ? crossOriginForbiddenResponse(request) : new Response('ok')));
    expect(response.status).toBe(403);
    expect(pulled()).toBe(200_000);
    expect(request.bodyUsed).toBe(true);
  });

  it('on a deployed site drains at most MAX_DRAIN_BYTES, then cancels', async () => {
    const { request, pulled } = streamed(MAX_DRAIN_BYTES * 4);
    await finishRequest(request, async () => new Response('refused', { status: 401 }));
    expect(pulled()).toBeGreaterThan(MAX_DRAIN_BYTES);
    expect(pulled()).toBeLessThan(MAX_DRAIN_BYTES * 2);
  });

  it('on a developer’s machine (a loopback host) reads a refused body to its end: a cut-off one breaks the local proxy’s next request', async () => {
    for (const local of ['http://127.0.0.1:8787', 'http://localhost:4321']) {
      const { request, pulled } = streamed(MAX_DRAIN_BYTES * 4, local);
      await finishRequest(request, async () => new Response('too large', { status: 413 }));
      expect(pulled(), local).toBe(MAX_DRAIN_BYTES * 4);
    }
  });

  it('a body the route read is left alone', async () => {
    const read = new Request(`${SITE}/x`, { method: 'POST', body: 'a=1' });
    const response = await finishRequest(read, async () => new Response(await read.text()));
    expect(await response.text()).toBe('a=1');
  });
});

describe('where the rule applies: the integration’s routes always, the host’s as the host set checkOrigin', () => {
  const on = { hostCheckOrigin: true, hostExempt: ['/api/stripe', '/hooks/*'] };
  const off = { hostCheckOrigin: false, hostExempt: [] };

  it('always checks the integration’s own routes, whatever the host set', () => {
    expect(originCheckApplies('/newsletter/subscribe', true, on)).toBe(true);
    expect(originCheckApplies('/newsletter/subscribe', true, off)).toBe(true);
    expect(originCheckApplies('/api/stripe', true, on)).toBe(true); // a host exemption never covers our routes
  });

  it('checks the host’s routes only when its checkOrigin is on, minus the paths it exempts', () => {
    expect(originCheckApplies('/contact', false, on)).toBe(true);
    expect(originCheckApplies('/contact', false, off)).toBe(false);
    expect(originCheckApplies('/api/stripe', false, on)).toBe(false);
    expect(originCheckApplies('/api/stripe/x', false, on)).toBe(true);
    expect(originCheckApplies('/hooks/slack', false, on)).toBe(false);
    expect(originCheckApplies('/hooks', false, on)).toBe(true);
  });

  it('matches an exact path, or everything below `/path/*`', () => {
    expect(matchesExemptPath('/a/b', '/a/b')).toBe(true);
    expect(matchesExemptPath('/a/b/', '/a/b')).toBe(false);
    expect(matchesExemptPath('/a/b/c', '/a/*')).toBe(true);
    expect(matchesExemptPath('/ab', '/a/*')).toBe(false);
  });

  it('answers as Astro does: 403 with Astro’s own text', async () => {
    const response = crossOriginForbiddenResponse(new Request(`${SITE}/contact`, { method: 'POST' }));
    expect(response.status).toBe(403);
    expect(await response.text()).toBe('Cross-site POST form submissions are forbidden');
  });
});
