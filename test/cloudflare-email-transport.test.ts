// The Cloudflare Email Service transport inside Miniflare (workerd), sending through
// Miniflare's simulation of the `send_email` binding; the bundle is the production code.
import { readFileSync } from 'node:fs';
import { convertV4MiniflareOptions, Log, LogLevel, Miniflare } from 'miniflare';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bundleForWorkerd } from './helpers/workerd-bundle';
import { loadDeliveryConfig, ConfigError } from '../integration/delivery/config';
import { buildDeliveryDeps } from '../integration/delivery/deps';
import { buildMessage, makeMessageId, type MessageInput } from '../integration/delivery/mime';
import type { OutgoingEmail, SendResult } from '../integration/delivery/transport';
import { classifyCloudflareError } from '../integration/delivery/providers/cloudflare/transport';
import { ROOT } from './helpers/d1';

class CapturingLog extends Log {
  lines: string[] = [];
  constructor() {
    super(LogLevel.INFO);
  }
  override logWithLevel(_level: LogLevel, message: string): void {
    this.lines.push(message);
  }
}

let mf: Miniflare;
const log = new CapturingLog();
beforeAll(async () => {
  const bundleText = await bundleForWorkerd(`${ROOT}/test/fixtures/cloudflare-email-worker.ts`);
  // miniflare 5 (the beta wrangler 4.151 pins) takes `workers: [...]`; the converter accepts the classic shape.
  mf = new Miniflare(
    convertV4MiniflareOptions({
      modules: true,
      script: bundleText,
      compatibilityDate: '2026-10-01',
      log,
      email: {
        send_email: [
          { name: 'EMAIL' },
          { name: 'ONLY_ALLOWED', allowed_destination_addresses: ['allowed@example.org'] },
          { name: 'OTHER_SENDER', allowed_sender_addresses: ['someone@else.example'] },
        ],
      },
    }),
  );
  await mf.ready;
}, 60_000);
afterAll(async () => {
  await mf?.dispose();
});

const input = (to = 'reader@example.org'): MessageInput => ({
  from: { email: 'news@blog.example.com', name: 'Plain Words' },
  to: { email: to },
  subject: 'Confirm your subscription ✉',
  text: 'Confirm: https://blog.example.com/verify?token=abc\n',
  html: '<p><a href="https://blog.example.com/verify?token=abc">Confirm</a></p>',
  messageId: makeMessageId('blog.example.com'),
  date: new Date('2026-11-25T05:00:00Z'),
  listUnsubscribeUrl: 'https://blog.example.com/api/unsubscribe/one-click?token=t1',
  listId: 'account.blog.example.com',
});
const outgoing = (m: MessageInput): OutgoingEmail => ({ to: m.to.email, raw: buildMessage(m), messageIdHeader: m.messageId });

async function sendInside(email: OutgoingEmail, binding = 'EMAIL'): Promise<{ result: SendResult; given: Record<string, unknown>[] }> {
  const response = await mf.dispatchFetch(`http://localhost/?binding=${binding}`, { method: 'POST', body: JSON.stringify(email) });
  return (await response.json()) as { result: SendResult; given: Record<string, unknown>[] };
}

describe('Cloudflare Email Service transport in Miniflare', () => {
  it('sends the structured message through the send_email binding and gets its messageId', async () => {
    const { result, given } = await sendInside(outgoing(input()));
    expect(result.ok).toBe(true);
    expect(result.ok && result.providerMessageId).toMatch(/^<[A-Za-z0-9]+@blog\.example\.com>$/); // Miniflare's Message-ID, like Cloudflare's own
    expect(given).toEqual([
      {
        to: 'reader@example.org',
        from: { email: 'news@blog.example.com', name: 'Plain Words' },
        subject: 'Confirm your subscription ✉',
        text: expect.stringContaining('https://blog.example.com/verify?token=abc'),
        html: expect.stringContaining('href="https://blog.example.com/verify?token=abc"'),
        headers: {
          'List-Unsubscribe': '<https://blog.example.com/api/unsubscribe/one-click?token=t1>',
          'List-Unsubscribe-Post': 'List-Unsubscribe=One-Click',
          'List-Id': '<account.blog.example.com>',
        },
      },
    ]);
    // Miniflare logged the message it accepted and stored its parts on disk.
    await expect.poll(() => log.lines.some((l) => l.includes('send_email binding called with MessageBuilder')), { timeout: 5_000 }).toBe(true);
    const logged = log.lines.find((l) => l.includes('send_email binding called with MessageBuilder'))!;
    expect(logged).toContain('To: reader@example.org');
    expect(logged).toContain('Subject: Confirm your subscription ✉');
    const textPath = /Text: (\S+)/.exec(logged)?.[1];
    expect(readFileSync(textPath!, 'utf8')).toContain('https://blog.example.com/verify?token=abc');
  });

  it('a recipient the binding may not mail fails for good (recipient_not_allowed), without a retry', async () => {
    const { result } = await sendInside(outgoing(input('someone@example.org')), 'ONLY_ALLOWED');
    expect(result).toMatchObject({ ok: false, retryable: false, code: 'recipient_not_allowed' });
    expect(!result.ok && result.error).toBe('Cloudflare Email Service E_RECIPIENT_NOT_ALLOWED: email to <recipient> not allowed');
    const allowed = await sendInside(outgoing(input('allowed@example.org')), 'ONLY_ALLOWED');
    expect(allowed.result.ok).toBe(true);
  });

  it('a From address the binding may not use fails for good', async () => {
    const { result } = await sendInside(outgoing(input()), 'OTHER_SENDER');
    expect(result).toMatchObject({ ok: false, retryable: false, code: 'sender_not_allowed' });
    expect(!result.ok && result.error).toContain('email from news@blog.example.com not allowed');
  });
});

describe('Cloudflare Email Service errors (the documented `code` on the thrown Error)', () => {
  const thrown = (code: string, message: string) => Object.assign(new Error(message), { code });
  const now = new Date('2026-11-25T22:00:00Z');
  it('E_RECIPIENT_SUPPRESSED is a permanent recipient_suppressed', () => {
    expect(classifyCloudflareError(thrown('E_RECIPIENT_SUPPRESSED', 'Recipient is on suppression list'), now)).toMatchObject({
      ok: false,
      retryable: false,
      code: 'recipient_suppressed',
    });
  });
  it('rate and daily limits are retried: after a minute, and at the next UTC midnight', () => {
    expect(classifyCloudflareError(thrown('E_RATE_LIMIT_EXCEEDED', 'Rate limit exceeded'), now)).toMatchObject({
      retryable: true,
      code: 'throttled',
      retryAfterSeconds: 60,
    });
    expect(classifyCloudflareError(thrown('E_DAILY_LIMIT_EXCEEDED', 'Daily limit exceeded'), now)).toMatchObject({
      retryable: true,
      code: 'daily_quota',
      retryAfterSeconds: 2 * 3600,
    });
  });
  it('validation and header errors are permanent; an error without a code is retried', () => {
    expect(
      classifyCloudflareError(thrown('E_HEADER_VALUE_INVALID', "Header 'List-Unsubscribe' must contain angle-bracket HTTPS or mailto URI(s)."), now),
    ).toMatchObject({ retryable: false, code: 'header_value_invalid' });
    expect(classifyCloudflareError(thrown('E_SENDER_NOT_VERIFIED', 'Sender domain not verified'), now)).toMatchObject({
      retryable: false,
      code: 'sender_not_verified',
    });
    expect(classifyCloudflareError(new Error('Network connection lost.'), now)).toMatchObject({ retryable: true, code: 'provider_error' });
  });
});

describe('Cloudflare Email Service configuration: transactional by default', () => {
  const base = {
    SITE_URL: 'https://blog.example.com',
    SITE_NAME: 'Plain Words',
    MAIL_FROM: 'Plain Words <news@blog.example.com>',
    POSTAL_ADDRESS: '1 Example Street, Example City',
  };
  it('refuses MAIL_TRANSPORT=cloudflare for bulk mail unless the author opts in', () => {
    expect(() => loadDeliveryConfig({ ...base, MAIL_TRANSPORT: 'cloudflare' })).toThrow(ConfigError);
    expect(() => loadDeliveryConfig({ ...base, MAIL_TRANSPORT: 'cloudflare' })).toThrow(/CLOUDFLARE_EMAIL_BULK/);
    expect(loadDeliveryConfig({ ...base, MAIL_TRANSPORT: 'cloudflare', CLOUDFLARE_EMAIL_BULK: 'true' }).settings).toMatchObject({
      CLOUDFLARE_EMAIL_BINDING: 'EMAIL',
      CLOUDFLARE_EMAIL_BULK: true,
    });
  });
  it('uses it for verification mail beside another bulk transport, from the binding in env', async () => {
    const binding = (await mf.getBindings()).EMAIL;
    const deps = buildDeliveryDeps(
      { DB: {} as D1Database, EMAIL: binding },
      { settings: { ...base, MAIL_TRANSPORT: 'postmark', POSTMARK_SERVER_TOKEN: 'x', MAIL_TRANSPORT_TRANSACTIONAL: 'cloudflare' } },
    );
    expect(deps.transport.name).toBe('postmark');
    expect(deps.transactionalTransport?.name).toBe('cloudflare');
    expect(() =>
      buildDeliveryDeps(
        { DB: {} as D1Database },
        { settings: { ...base, MAIL_TRANSPORT: 'postmark', POSTMARK_SERVER_TOKEN: 'x', MAIL_TRANSPORT_TRANSACTIONAL: 'cloudflare' } },
      ),
    ).toThrow(/send_email binding named EMAIL/);
  });
});
