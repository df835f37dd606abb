// The real Gmail transport against a stand-in for Google on 127.0.0.1 that
// speaks the same HTTP protocol (test/helpers/google-standin.ts).
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { buildMessage, makeMessageId, type MessageInput } from '../integration/delivery/mime';
import type { OutgoingEmail } from '../integration/delivery/transport';
import { createGmailTransport, type GmailTransportOptions } from '../integration/delivery/providers/gmail/transport';
import { startGoogleStandin, type GoogleStandin } from './helpers/google-standin';
import { expectMessageMatches, parseMime } from './helpers/mime-assert';

let google: GoogleStandin;
beforeAll(async () => {
  google = await startGoogleStandin();
});
afterAll(async () => {
  await google?.close();
});
beforeEach(() => google.reset());

const input = (over: Partial<MessageInput> = {}): MessageInput => ({
  from: { email: 'author@blog.example.com', name: 'Zoë’s Blog' },
  to: { email: 'reader@example.org', name: 'Ada Lovelace' },
  subject: 'Neuer Beitrag: Grüße aus Köln ☕',
  text: 'Hallo Ada,\n\nNeuer Beitrag: https://blog.example.com/blog/koeln\n\nAbmelden: https://blog.example.com/unsubscribe?token=t1\n',
  html: '<p>Hallo Ada,</p><p><a href="https://blog.example.com/blog/koeln">Grüße aus Köln</a></p>',
  messageId: makeMessageId('blog.example.com'),
  date: new Date('2026-11-25T05:00:00Z'),
  listUnsubscribeUrl: 'https://blog.example.com/api/unsubscribe/one-click?token=t1',
  listId: 'blog.blog.example.com',
  ...over,
});

const outgoing = (m: MessageInput = input()): OutgoingEmail => ({ to: m.to.email, raw: buildMessage(m), messageIdHeader: m.messageId });

const transport = (over: Partial<GmailTransportOptions> = {}) =>
  createGmailTransport({
    clientId: google.clientId,
    clientSecret: google.clientSecret,
    refreshToken: google.refreshToken,
    tokenUrl: google.tokenUrl,
    apiBase: google.apiBase,
    timeoutMs: 2_000,
    ...over,
  });

describe('Gmail transport against the Google stand-in', () => {
  it('sends a well-formed request whose raw message carries every header and both parts', async () => {
    const message = input();
    const email = outgoing(message);
    const result = await transport().send(email);
    expect(result).toEqual({ ok: true, providerMessageId: google.sent[0]!.id });

    const token = google.tokenRequests[0]!;
    expect(token.contentType).toMatch(/^application\/x-www-form-urlencoded/);
    expect(token.params).toEqual({
      grant_type: 'refresh_token',
      client_id: google.clientId,
      client_secret: google.clientSecret,
      refresh_token: google.refreshToken,
    });

    const received = google.sent[0]!;
    expect(received.authorization).toMatch(/^Bearer ya29\./);
    expect(received.contentType).toMatch(/^application\/json/);
    expect(Object.keys(received.body as object)).toEqual(['raw']);
    expect(received.rawBase64Url).toMatch(/^[A-Za-z0-9_-]+$/); // base64url, no padding
    expect(received.raw).toBe(email.raw);
    expectMessageMatches(await parseMime(received.raw), received.raw, message);
  });

  it('caches the access token across sends and refreshes it shortly before it expires', async () => {
    let now = new Date('2026-11-25T05:00:00Z');
    const gmail = transport({ clock: { now: () => now } });
    for (let i = 0; i < 3; i++) expect((await gmail.send(outgoing())).ok).toBe(true);
    expect(google.tokenRequests).toHaveLength(1);

    now = new Date(now.getTime() + 3599_000 - 61_000); // still inside the safety margin
    expect((await gmail.send(outgoing())).ok).toBe(true);
    expect(google.tokenRequests).toHaveLength(1);

    now = new Date(now.getTime() + 2_000); // within 60 s of expiry: refresh first
    expect((await gmail.send(outgoing())).ok).toBe(true);
    expect(google.tokenRequests).toHaveLength(2);
    expect(google.sent).toHaveLength(5);
  });

  it('shares one token refresh between concurrent sends', async () => {
    const gmail = transport();
    const results = await Promise.all(Array.from({ length: 5 }, () => gmail.send(outgoing())));
    expect(results.every((r) => r.ok)).toBe(true);
    expect(google.tokenRequests).toHaveLength(1);
  });

  it('on 401 refreshes the token once and retries once', async () => {
    const gmail = transport();
    expect((await gmail.send(outgoing())).ok).toBe(true);
    google.expireAccessTokens(); // revoked early, though our cache thinks it is valid
    const before = google.sendRequests;
    const result = await gmail.send(outgoing());
    expect(result.ok).toBe(true);
    expect(google.sendRequests - before).toBe(2);
    expect(google.tokenRequests).toHaveLength(2);
  });

  it('gives up after one refresh when the API keeps answering 401', async () => {
    const gmail = transport();
    google.failNextSends({ kind: '401' }, { kind: '401' });
    const result = await gmail.send(outgoing());
    expect(result).toMatchObject({ ok: false, retryable: false, code: 'http_401' });
    expect(google.tokenRequests).toHaveLength(2);
    expect(google.sent).toHaveLength(0);
  });

  it('429 with Retry-After seconds is retryable and reports the delay', async () => {
    google.failNextSends({ kind: '429', retryAfter: '30' });
    const result = await transport().send(outgoing());
    expect(result).toMatchObject({ ok: false, retryable: true, code: 'http_429', retryAfterSeconds: 30 });
    if (!result.ok) expect(result.error).toContain('User-rate limit exceeded');
  });

  it('503 with Retry-After as an HTTP-date gives seconds from the clock', async () => {
    const now = new Date('2026-11-25T05:00:00Z');
    google.failNextSends({ kind: '503', retryAfter: new Date(now.getTime() + 120_000).toUTCString() });
    const result = await transport({ clock: () => now }).send(outgoing());
    expect(result).toMatchObject({ ok: false, retryable: true, code: 'http_503', retryAfterSeconds: 120 });
  });

  it('500 is retryable', async () => {
    google.failNextSends({ kind: '500' });
    expect(await transport().send(outgoing())).toMatchObject({ ok: false, retryable: true, code: 'http_500' });
    expect(google.sent).toHaveLength(0);
  });

  it('a non-JSON 502 from a proxy is retryable', async () => {
    google.failNextSends({ kind: 'html', status: 502 });
    expect(await transport().send(outgoing())).toMatchObject({ ok: false, retryable: true, code: 'http_502' });
  });

  it("400 is permanent and carries Google's error message", async () => {
    google.failNextSends({ kind: '400', message: 'Invalid To header' });
    const result = await transport().send(outgoing());
    expect(result).toMatchObject({ ok: false, retryable: false, code: 'http_400' });
    if (!result.ok) expect(result.error).toContain('Invalid To header');
  });

  it('a message the real API would refuse (no To header) is a permanent 400 from the stand-in itself', async () => {
    const raw = outgoing().raw.replace(/^To: .*\r\n/m, '');
    const result = await transport().send({ to: 'reader@example.org', raw, messageIdHeader: '<x@y>' });
    expect(result).toMatchObject({ ok: false, retryable: false, code: 'http_400' });
    if (!result.ok) expect(result.error).toContain('Recipient address required');
  });

  it('403 for quota is retryable; 403 for permission is permanent', async () => {
    google.failNextSends({ kind: '403', reason: 'userRateLimitExceeded', message: 'User Rate Limit Exceeded' });
    expect(await transport().send(outgoing())).toMatchObject({ ok: false, retryable: true, code: 'http_403' });
    google.failNextSends({ kind: '403', reason: 'insufficientPermissions', message: 'Insufficient Permission' });
    expect(await transport().send(outgoing())).toMatchObject({ ok: false, retryable: false, code: 'http_403' });
  });

  it('a send slower than the timeout is retryable with code timeout', async () => {
    const gmail = transport({ timeoutMs: 150 });
    expect((await gmail.send(outgoing())).ok).toBe(true); // token cached first
    google.failNextSends({ kind: 'delay', ms: 1_000 });
    const started = Date.now();
    const result = await gmail.send(outgoing());
    expect(result).toMatchObject({ ok: false, retryable: true, code: 'timeout' });
    expect(Date.now() - started).toBeLessThan(900);
    // The request had reached Google, which still sends it: a timeout is ambiguous, so a
    // retry can deliver a second copy. This is why delivery is at least once.
    await expect.poll(() => google.sent.length, { timeout: 3_000 }).toBe(2);
  });

  it('a slow token endpoint is a timeout too', async () => {
    google.failNextTokens({ kind: 'delay', ms: 1_000 });
    expect(await transport({ timeoutMs: 150 }).send(outgoing())).toMatchObject({ ok: false, retryable: true, code: 'timeout' });
  });

  it('an unreachable API is retryable with code network', async () => {
    const result = await transport({ apiBase: 'http://127.0.0.1:9', tokenUrl: google.tokenUrl }).send(outgoing());
    expect(result).toMatchObject({ ok: false, retryable: true, code: 'network' });
  });

  it('invalid_grant (revoked refresh token) is permanent and says to run the auth command again', async () => {
    const stale = google.refreshToken;
    google.revokeRefreshToken();
    try {
      const result = await transport({ refreshToken: stale }).send(outgoing());
      expect(result).toMatchObject({ ok: false, retryable: false, code: 'invalid_grant' });
      if (result.ok) throw new Error('unreachable');
      expect(result.error).toContain('Token has been expired or revoked');
      expect(result.error).toContain('npx astro-d1-notify gmail:auth --remote');
      expect(result.error).toContain('GMAIL_REFRESH_TOKEN');
      expect(result.error).not.toContain(stale); // secrets never end up in errors (and so in logs)
      expect(result.error).not.toContain(google.clientSecret);
      expect(google.sent).toHaveLength(0);
    } finally {
      google = await restart(google);
    }
  });

  it('wrong client credentials are permanent (invalid_client)', async () => {
    const result = await transport({ clientSecret: 'wrong' }).send(outgoing());
    expect(result).toMatchObject({ ok: false, retryable: false, code: 'invalid_client' });
  });

  it('a failing token endpoint (500, 429) is retryable', async () => {
    google.failNextTokens({ kind: '500' });
    expect(await transport().send(outgoing())).toMatchObject({ ok: false, retryable: true, code: 'http_500' });
    google.failNextTokens({ kind: '429', retryAfter: '7' });
    expect(await transport().send(outgoing())).toMatchObject({ ok: false, retryable: true, code: 'http_429', retryAfterSeconds: 7 });
  });
});

async function restart(old: GoogleStandin): Promise<GoogleStandin> {
  await old.close();
  return startGoogleStandin();
}
