import { describe, expect, it } from 'vitest';
import type { OutgoingEmail } from '../../integration/delivery/transport';
import { createFaultInjectionTransport, createLoopbackTransport, SimulatedCrash } from './fault-injection';

const email = (n: number, to = `r${n}@example.org`): OutgoingEmail => ({ to, raw: `To: ${to}\r\n\r\nhi\r\n`, messageIdHeader: `<m${n}@example.com>` });

describe('fault-injection transport', () => {
  it('follows an array script in call order, then accepts everything', async () => {
    const t = createFaultInjectionTransport({ script: ['429', '500', 'timeout', '401', '400'], retryAfterSeconds: 12 });
    const results = [];
    for (let i = 0; i < 6; i++) results.push(await t.send(email(i)));
    expect(results.map((r) => (r.ok ? 'ok' : r.code))).toEqual(['http_429', 'http_500', 'timeout', 'http_401', 'http_400', 'ok']);
    expect(results.map((r) => !r.ok && r.retryable)).toEqual([true, true, true, false, false, false]);
    expect(results[0]).toMatchObject({ retryAfterSeconds: 12 });
    expect(t.sent.map((e) => e.to)).toEqual(['r5@example.org']);
    expect(t.attempts.map((a) => a.outcome)).toEqual(['429', '500', 'timeout', '401', '400', 'ok']);
  });

  it('gives a script function the attempt number per Message-ID', async () => {
    const t = createFaultInjectionTransport({ script: (_e, attempt) => (attempt < 3 ? '500' : 'ok') });
    const a = email(1);
    const b = email(2);
    expect((await t.send(a)).ok).toBe(false);
    expect((await t.send(b)).ok).toBe(false);
    expect((await t.send(a)).ok).toBe(false);
    expect((await t.send(a)).ok).toBe(true);
    expect(t.attemptsFor(a.messageIdHeader)).toBe(3);
    expect(t.attemptsFor(b.messageIdHeader)).toBe(1);
    expect(t.attempts.map((x) => x.attempt)).toEqual([1, 1, 2, 3]);
  });

  it('crash delivers the message, then throws (at-least-once: a retry duplicates it)', async () => {
    const t = createFaultInjectionTransport({ script: ['crash'] });
    const e = email(1);
    await expect(t.send(e)).rejects.toBeInstanceOf(SimulatedCrash);
    expect(await t.send(e)).toMatchObject({ ok: true });
    expect(t.sentTo(e.to)).toHaveLength(2);
  });

  it('is deterministic: the same script gives the same outcomes', async () => {
    const run = async () => {
      const t = createFaultInjectionTransport({ script: (e, attempt) => (Number(e.messageIdHeader.slice(2, 3)) % 2 && attempt === 1 ? '429' : 'ok') });
      const out = [];
      for (const n of [1, 2, 3, 1, 3]) out.push((await t.send(email(n))).ok);
      return out;
    };
    expect(await run()).toEqual(await run());
    expect(await run()).toEqual([false, true, false, true, true]);
  });
});

describe('loopback transport', () => {
  it('accepts everything and counts', async () => {
    const t = createLoopbackTransport();
    for (let i = 0; i < 3; i++) expect(await t.send(email(i))).toEqual({ ok: true, providerMessageId: `loopback-${i + 1}` });
    expect(t.count).toBe(3);
    expect(t.bytes).toBeGreaterThan(0);
  });
});
