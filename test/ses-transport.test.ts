// The real SES transport (aws4fetch SigV4) against a stand-in for SES API v2 on 127.0.0.1
// that verifies every signature on its own (test/helpers/ses-standin.ts).
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { buildMessage, makeMessageId, type MessageInput } from '../integration/delivery/mime';
import type { OutgoingEmail } from '../integration/delivery/transport';
import { createSesTransport, type SesTransportOptions } from '../integration/delivery/providers/ses/transport';
import { expectMessageMatches, parseMime } from './helpers/mime-assert';
import { readFileSync } from 'node:fs';
import { startSesStandin, type SesStandin } from './helpers/ses-standin';

/** The IAM actions of the policy docs/providers.md tells an author to attach (the JSON block of its `## Amazon SES` section). */
function docsPolicyActions(): string[] {
  const doc = readFileSync(new URL('../docs/providers.md', import.meta.url), 'utf8');
  const start = doc.indexOf('\n## Amazon SES\n');
  const end = doc.indexOf('\n## Postmark\n', start);
  expect(start, 'docs/providers.md has a "## Amazon SES" section').toBeGreaterThan(0);
  expect(end, 'followed by "## Postmark"').toBeGreaterThan(start);
  const block = /```json\n([\s\S]*?)```/.exec(doc.slice(start, end));
  expect(block, 'the SES section has a ```json policy block').not.toBeNull();
  const policy = JSON.parse(block![1]!) as { Statement: { Effect: string; Action: string[] }[] };
  return policy.Statement.filter((s) => s.Effect === 'Allow').flatMap((s) => s.Action);
}

let ses: SesStandin;
beforeAll(async () => {
  ses = await startSesStandin({ maxSendRate: 4, configurationSets: ['blog-events'] });
});
afterAll(async () => {
  await ses?.close();
});
beforeEach(() => {
  ses.reset();
  ses.maxSendRate = 4;
  ses.reportedMaxSendRate = 4;
  ses.max24HourSend = 50_000;
  ses.allowedActions = docsPolicyActions();
});

const input = (n = 0): MessageInput => ({
  from: { email: 'author@blog.example.com', name: 'Zoë’s Blog' },
  to: { email: `reader${n}@example.org` },
  subject: `Neuer Beitrag ${n}: Grüße aus Köln ☕`,
  text: `Hallo,\n\nNeuer Beitrag: https://blog.example.com/blog/${n}\n`,
  html: `<p>Hallo,</p><p><a href="https://blog.example.com/blog/${n}">Grüße</a></p>`,
  messageId: makeMessageId('blog.example.com'),
  date: new Date('2026-11-25T05:00:00Z'),
  listUnsubscribeUrl: `https://blog.example.com/api/unsubscribe/one-click?token=t${n}`,
  listId: 'blog.blog.example.com',
});
const outgoing = (m: MessageInput): OutgoingEmail => ({ to: m.to.email, raw: buildMessage(m), messageIdHeader: m.messageId });

const transport = (over: Partial<SesTransportOptions> = {}) =>
  createSesTransport({
    accessKeyId: ses.accessKeyId,
    secretAccessKey: ses.secretAccessKey,
    region: ses.region,
    configurationSet: 'blog-events',
    endpoint: ses.url,
    timeoutMs: 5_000,
    ...over,
  });

describe('SES transport against the SES v2 stand-in', () => {
  it('sends the raw MIME, signed, with the configuration set; the message parses with every header', async () => {
    const message = input(1);
    const result = await transport().send(outgoing(message));
    expect(result.ok).toBe(true);
    expect(ses.signatureFailures).toEqual([]);
    expect(ses.sent).toHaveLength(1);
    expect(ses.sent[0]!.to).toEqual(['reader1@example.org']);
    expect(ses.sent[0]!.configurationSet).toBe('blog-events');
    const raw = ses.sent[0]!.raw;
    expectMessageMatches(await parseMime(raw), raw, message);
    expect(result.ok && result.providerMessageId).toMatch(/^0102019[0-9a-f]{16}-[0-9a-f]{8}-000000$/);
  });

  it('is refused with a wrong secret key (the stand-in recomputes the signature) and fails for good, naming the settings', async () => {
    const result = await transport({ secretAccessKey: 'not-the-secret' }).send(outgoing(input(2)));
    expect(ses.signatureFailures).toContain('SignatureDoesNotMatch');
    expect(ses.sent).toHaveLength(0);
    expect(result).toMatchObject({ ok: false, retryable: false, code: 'auth' });
    expect(!result.ok && result.error).toContain('AWS_SECRET_ACCESS_KEY');
    expect(!result.ok && result.error).not.toContain('not-the-secret');
  });

  it('the IAM policy of docs/providers.md sends; a policy with ses:SendEmail but not ses:SendRawEmail is refused (403) and the error names ses:SendRawEmail', async () => {
    expect(ses.allowedActions).toContain('ses:SendRawEmail');
    expect((await transport().send(outgoing(input(20)))).ok).toBe(true);
    expect(ses.accessDenied).toEqual([]);

    ses.allowedActions = ['ses:SendEmail', 'ses:GetAccount']; // the policy the docs used to give
    const result = await transport().send(outgoing(input(21)));
    expect(result).toMatchObject({ ok: false, retryable: false, code: 'auth' });
    expect(!result.ok && result.error).toMatch(/AccessDeniedException.*must allow ses:SendRawEmail/);
    expect(ses.accessDenied).toEqual(['ses:SendRawEmail']);
    expect(ses.sent).toHaveLength(1);
  });

  it("SES replaces our Message-ID with its own; the result's id is SES's MessageId, the one its events carry", async () => {
    const message = input(22);
    const result = await transport().send(outgoing(message));
    const sent = ses.sent[0]!;
    expect(result.ok && result.providerMessageId).toBe(sent.messageId);
    expect(sent.raw).toContain(`Message-ID: ${message.messageId}`);
    expect(sent.delivered).toContain(`Message-ID: <${sent.messageId}@${ses.region}.amazonses.com>`);
    expect(sent.delivered).not.toContain(message.messageId);
  });

  it('is refused when the body is changed after signing (the payload hash is part of the signature)', async () => {
    const tampering: typeof fetch = async (url, init) => {
      const body = typeof init?.body === 'string' ? init.body.replace('reader3@example.org', 'victim@example.org') : init?.body;
      return fetch(url, { ...init, body });
    };
    const result = await transport({ fetch: tampering }).send(outgoing(input(3)));
    expect(ses.signatureFailures).toEqual(['SignatureDoesNotMatch']); // GetAccount (no body) passed; the altered SendEmail did not
    expect(ses.sent).toHaveLength(0);
    expect(result).toMatchObject({ ok: false, retryable: false, code: 'auth' });
  });

  it('is refused with an unknown access key', async () => {
    const result = await transport({ accessKeyId: 'AKIAUNKNOWN0000000000' }).send(outgoing(input(4)));
    expect(ses.signatureFailures.length).toBeGreaterThan(0); // GetAccount and SendEmail both refused
    expect(new Set(ses.signatureFailures)).toEqual(new Set(['UnrecognizedClientException']));
    expect(result).toMatchObject({ ok: false, retryable: false, code: 'auth' });
  });

  it('paces a batch at the account maximum send rate read from GetAccount: no throttle, never more than 4 starts a second', async () => {
    const t = transport();
    const emails = Array.from({ length: 10 }, (_, i) => outgoing(input(10 + i)));
    const started = Date.now();
    const results = await t.sendBatch!(emails);
    const elapsed = Date.now() - started;
    expect(results.filter((r) => !r.ok)).toEqual([]);
    expect(ses.throttled).toBe(0);
    expect(ses.accountRequests).toBe(1);
    expect(ses.sent.map((s) => s.to[0])).toEqual(emails.map((e) => e.to).sort((a, b) => a.localeCompare(b, 'en', { numeric: true })));
    expect(ses.sendTimes.length).toBeGreaterThan(0); // the loop below must check something
    for (const t0 of ses.sendTimes) expect(ses.sendTimes.filter((t1) => t1 >= t0 && t1 - t0 < 1000).length).toBeLessThanOrEqual(4);
    expect(elapsed).toBeGreaterThanOrEqual(2_400); // 10 sends at 90% of 4/s: the tenth starts 2.5 s after the first
    // The account answer is cached: a second batch does not ask again.
    await t.sendBatch!([outgoing(input(30))]);
    expect(ses.accountRequests).toBe(1);
  });

  it('backs off on throttling: after a 429 TooManyRequestsException the rest of the batch is not sent and comes back retryable', async () => {
    ses.reportedMaxSendRate = 50; // GetAccount overstates the rate the account really has
    ses.maxSendRate = 3;
    const results = await transport().sendBatch!(Array.from({ length: 12 }, (_, i) => outgoing(input(40 + i))));
    expect(results.filter((r) => r.ok)).toHaveLength(3);
    const failed = results.filter((r) => !r.ok);
    expect(failed).toHaveLength(9);
    for (const r of failed) expect(r).toMatchObject({ ok: false, retryable: true, code: 'throttled', retryAfterSeconds: 60 });
    expect(ses.throttled).toBeGreaterThanOrEqual(1);
    expect(ses.sendTimes.length).toBeLessThan(12); // it stopped asking
  });

  it('stops at the 24-hour quota from GetAccount without sending past it', async () => {
    ses.max24HourSend = 2;
    const results = await transport().sendBatch!([outgoing(input(60)), outgoing(input(61)), outgoing(input(62))]);
    expect(results.map((r) => r.ok)).toEqual([true, true, false]);
    expect(results[2]).toMatchObject({ retryable: true, code: 'daily_quota', retryAfterSeconds: 3600 });
    expect(ses.sent).toHaveLength(2);
  });

  it('maps a missing configuration set (404 NotFoundException) to a permanent failure', async () => {
    const result = await transport({ configurationSet: 'no-such-set' }).send(outgoing(input(70)));
    expect(result).toMatchObject({ ok: false, retryable: false, code: 'http_404' });
    expect(!result.ok && result.error).toContain('NotFoundException');
  });
});

describe('SES sandbox account', () => {
  it('answers 400 MessageRejected for an unverified recipient: a permanent failure', async () => {
    const sandbox = await startSesStandin({ maxSendRate: 1, max24HourSend: 200, sandboxVerified: ['verified@example.org'] });
    try {
      const t = createSesTransport({
        accessKeyId: sandbox.accessKeyId,
        secretAccessKey: sandbox.secretAccessKey,
        region: sandbox.region,
        endpoint: sandbox.url,
      });
      const results = await t.sendBatch!([{ ...outgoing(input(80)), to: 'verified@example.org' }, outgoing(input(81))]);
      expect(results[0]!.ok).toBe(true);
      expect(results[1]).toMatchObject({ ok: false, retryable: false, code: 'http_400' });
      expect(!results[1]!.ok && results[1]!.error).toContain('MessageRejected');
      expect(!results[1]!.ok && results[1]!.error).not.toContain('reader81@example.org');
      expect(sandbox.sendTimes[1]! - sandbox.sendTimes[0]!).toBeGreaterThanOrEqual(1_000); // 1 per second, with a margin
    } finally {
      await sandbox.close();
    }
  });
});
