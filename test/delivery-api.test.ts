import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { buildDeliveryDeps } from '../integration/delivery/deps';
import { processRoute } from '../integration/delivery/process-route';
import { processNotifications } from '../integration/delivery/processor';
import { createFaultInjectionTransport } from './helpers/fault-injection';
import { createTestD1, type TestD1 } from './helpers/d1';
import { addContent, addReader, settableClock, testConfig } from './helpers/delivery';

let t: TestD1;
beforeAll(async () => {
  t = await createTestD1();
});
afterAll(async () => t?.dispose());

const post = (authorization?: string) =>
  new Request('https://blog.example.com/api/notifications/process', {
    method: 'POST',
    headers: authorization ? { authorization } : {},
  });

describe('POST /api/notifications/process', () => {
  it('a deployment missing a required setting answers 503 naming the variable, logs it, and sends nothing', async () => {
    const env = {
      DB: t.d1,
      SITE_URL: 'https://blog.example.com',
      SITE_NAME: 'A Blog',
      MAIL_FROM: 'news@blog.example.com',
      MAIL_TRANSPORT: 'resend',
      RESEND_API_KEY: 're_x',
    };
    const error = vi.spyOn(console, 'error').mockImplementation(() => {});
    try {
      const res = await processRoute(post('Bearer process-secret'), 'process-secret', async () => processNotifications(buildDeliveryDeps(env)));
      expect(res.status).toBe(503);
      expect(await res.json()).toEqual({ error: 'not_configured', reason: expect.stringMatching(/^Sending is stopped: POSTAL_ADDRESS is not set\./) });
      expect(JSON.parse(String(error.mock.calls[0]![0]))).toMatchObject({
        event: 'notifications_not_configured',
        error: expect.stringContaining('POSTAL_ADDRESS'),
      });
    } finally {
      error.mockRestore();
    }
  });

  it('503 without a configured secret, 401 without the right bearer token, the summary with it', async () => {
    const time = settableClock('2026-11-25T10:00:00Z');
    const transport = createFaultInjectionTransport();
    await addReader(t.db, 'reader@example.org');
    await addContent(t.db, { publishDate: '2026-11-25T09:00:00Z' });
    let runs = 0;
    const run = () => {
      runs += 1;
      return processNotifications({ db: t.db, transport, clock: time.clock, config: testConfig() });
    };

    const unconfigured = await processRoute(post('Bearer x'), undefined, run);
    expect(unconfigured.status).toBe(503);
    expect(await unconfigured.json()).toMatchObject({ error: 'not_configured' });
    for (const header of [undefined, 'Bearer wrong-secret', 'bearer', 'Basic c2VjcmV0', 'Bearer process-secret-x']) {
      const res = await processRoute(post(header), 'process-secret', run);
      expect(res.status, String(header)).toBe(401);
      expect(res.headers.get('www-authenticate')).toBe('Bearer');
    }
    expect(runs).toBe(0);

    const ok = await processRoute(post('Bearer process-secret'), 'process-secret', run);
    expect(ok.status).toBe(200);
    expect(await ok.json()).toMatchObject({ fannedOut: 1, sent: 1, failed: 0, remaining: 0 });
    expect(runs).toBe(1);
    expect(transport.sent).toHaveLength(1);
  });
});
