/**
 * Defect 11: no error text of any transport, and nothing the processor records
 * (email_notifications.error_message, history details), contains a message body or a token.
 */
import PostalMime from 'postal-mime';
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { safeErrorText } from '../db/safe-error';
import { processNotifications } from '../integration/delivery/processor';
import type { OutgoingEmail, SendResult, Transport } from '../integration/delivery/transport';
import { createDevCaptureTransport } from '../integration/delivery/providers/dev/transport';
import { createFaultInjectionTransport } from './helpers/fault-injection';
import { createGmailTransport } from '../integration/delivery/providers/gmail/transport';
import { subscribe } from '../integration/server/reader/subscribe';
import { createTestD1, type TestD1 } from './helpers/d1';
import { fakeDeps } from './helpers/reader';
import { addContent, addReader, clearTables, rows, testConfig } from './helpers/delivery';
import { startGoogleStandin, type GoogleStandin } from './helpers/google-standin';

let t: TestD1;
let google: GoogleStandin;
beforeAll(async () => {
  t = await createTestD1();
  google = await startGoogleStandin();
});
afterAll(async () => {
  await google?.close();
  await t?.dispose();
});
beforeEach(async () => {
  await clearTables(t.d1);
  google.reset();
});

/** Wraps a transport and keeps what it was given and what it answered. */
function spy(inner: Transport) {
  const given: OutgoingEmail[] = [];
  const answers: SendResult[] = [];
  const transport: Transport = {
    name: inner.name,
    async send(email) {
      given.push(email);
      const result = await inner.send(email);
      answers.push(result);
      return result;
    },
  };
  return { transport, given, answers };
}

const TOKEN_IN_LINK = /token=([A-Za-z0-9_-]{20,})/g;

/** Runs the processor once over one reader and one post; returns everything that was recorded. */
async function failOnce(inner: Transport) {
  await addReader(t.db, 'reader@example.org');
  await addContent(t.db, { publishDate: '2026-11-25T10:00:00Z', title: 'Secret-free title' });
  const s = spy(inner);
  await processNotifications({ db: t.db, transport: s.transport, clock: () => new Date('2026-11-25T12:00:00Z'), config: testConfig() });
  expect(s.given.length).toBe(1);
  const decoded = await PostalMime.parse(s.given[0]!.raw);
  const tokens = [...new Set([...`${s.given[0]!.raw}\n${decoded.text}`.matchAll(TOKEN_IN_LINK)].map((m) => m[1]!))];
  expect(tokens.length).toBeGreaterThanOrEqual(2); // unsubscribe + preferences
  const recorded = [
    ...(await rows<{ e: string | null }>(t.d1, 'SELECT error_message AS e FROM email_notifications')).map((r) => r.e ?? ''),
    ...(await rows<{ d: string | null }>(t.d1, 'SELECT details AS d FROM email_notification_history')).map((r) => r.d ?? ''),
  ];
  const errors = s.answers.filter((a): a is Extract<SendResult, { ok: false }> => !a.ok).map((a) => a.error);
  expect(errors.length).toBe(1);
  return { tokens, texts: [...errors, ...recorded], raw: s.given[0]!.raw };
}

function expectClean(texts: string[], tokens: string[]) {
  expect(texts.join('')).not.toBe('');
  for (const text of texts) {
    expect(tokens.length).toBeGreaterThan(0); // the loop below must check something
    for (const token of tokens) expect(text).not.toContain(token);
    expect(text).not.toMatch(/Content-Type:|List-Unsubscribe|MIME-Version|quoted-printable|\r|\n/i);
    expect(text.length).toBeLessThan(800);
  }
}

describe('no message body or token in any recorded error', () => {
  it('dev capture: a failed outbox write (its INSERT error lists the raw message) records a clean reason', async () => {
    await t.d1.prepare('ALTER TABLE dev_mail_outbox RENAME TO dev_mail_outbox_away').run();
    try {
      const { tokens, texts } = await failOnce(createDevCaptureTransport(t.db));
      expect(texts[0]).toMatch(/dev outbox write failed/);
      expectClean(texts, tokens);
    } finally {
      await t.d1.prepare('ALTER TABLE dev_mail_outbox_away RENAME TO dev_mail_outbox').run();
    }
  });

  it('Gmail: an error that quotes the request (stand-in on 127.0.0.1) is cut to a safe first line', async () => {
    const quoted =
      'Invalid raw https://blog.example.com/unsubscribe?token=ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghij0123456\r\nContent-Type: text/plain\r\n\r\nHello reader';
    google.failNextSends({ kind: '400', message: quoted });
    const gmail = createGmailTransport({
      clientId: google.clientId,
      clientSecret: google.clientSecret,
      refreshToken: google.refreshToken,
      tokenUrl: google.tokenUrl,
      apiBase: google.apiBase,
      timeoutMs: 2_000,
    });
    const { tokens, texts } = await failOnce(gmail);
    expect(texts[0]).toMatch(/^Gmail API 400/);
    expectClean(texts, [...tokens, 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghij0123456', 'Hello reader']);
  });

  it('Gmail: a network error records no secret', async () => {
    const gmail = createGmailTransport({
      clientId: google.clientId,
      clientSecret: google.clientSecret,
      refreshToken: google.refreshToken,
      tokenUrl: google.tokenUrl,
      apiBase: 'http://127.0.0.1:9',
      timeoutMs: 2_000,
    });
    const { tokens, texts } = await failOnce(gmail);
    expectClean(texts, [...tokens, google.refreshToken, google.clientSecret]);
  });

  it('fault injection: its transient errors are clean', async () => {
    const { tokens, texts } = await failOnce(createFaultInjectionTransport({ script: ['500'] }));
    expectClean(texts, tokens);
  });

  it('any transport: an error that echoes the whole raw message is sanitised where errors are recorded', async () => {
    const echo: Transport = { name: 'echo', send: async (email) => ({ ok: false, retryable: false, error: `rejected ${email.raw}` }) };
    const { tokens, texts } = await failOnce(echo);
    // The transport's own answer is raw (that is the point); what is stored is not.
    expectClean(texts.slice(1), tokens);
  });

  it('safeErrorText keeps a readable first line and redacts token-like runs, query secrets and bearer credentials', () => {
    expect(safeErrorText(new Error('D1_ERROR: no such table: dev_mail_outbox'))).toBe('D1_ERROR: no such table: dev_mail_outbox');
    expect(safeErrorText('bad ?token=abc&x=1 Bearer ya29.secret')).toBe('bad ?token=[redacted]&x=1 Bearer [redacted]');
    expect(safeErrorText(`x ${'A'.repeat(43)} y`)).toBe('x [redacted] y');
    expect(safeErrorText('line one\nFrom: a@b')).toBe('line one […]');
    expect(safeErrorText('x'.repeat(1000)).length).toBeLessThanOrEqual(300);
  });

  it("subscribe: a failed verification send is logged without the verify link's raw token", async () => {
    const tokens: string[] = [];
    const deps = fakeDeps({
      sendVerification: async (_db, params) => {
        tokens.push(new URL(params.verifyUrl).searchParams.get('token')!);
        throw new Error(`Failed query: insert into "email_notifications" values (?, ?)\nparams: ${params.verifyUrl}`);
      },
    });
    const logged = vi.spyOn(console, 'error').mockImplementation(() => {});
    try {
      await subscribe(
        t.db,
        { email: 'log-me@example.org', contentTypes: ['blog'], frequency: 'daily' },
        deps,
        { ipAddress: '192.0.2.1', userAgent: 'vitest' },
        'api',
      );
      const text = logged.mock.calls.flat().map(String).join(' ');
      expect(text).toMatch(/verification email failed/);
      expect(tokens).toHaveLength(1);
      expect(text).not.toContain(tokens[0]!);
    } finally {
      logged.mockRestore();
    }
  });
});
