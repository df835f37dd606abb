import { describe, expect, it } from 'vitest';
import { deliveryMessage, IDS_PER_MESSAGE, MAX_SEND_BYTES, MESSAGES_PER_SEND, packMessages, sendCalls } from './queue-dispatch';

const single = (n: number) => ({ id: `n${n}`, userId: `u${n}`, notificationType: 'new_content' });
const digest = (user: string, n: number) => ({ id: `${user}-d${n}`, userId: user, notificationType: 'digest' });

describe('packMessages', () => {
  it('puts singles in messages of IDS_PER_MESSAGE ids, in order', () => {
    const messages = packMessages(Array.from({ length: 120 }, (_, i) => single(i)));
    expect(messages.map((m) => m.ids.length)).toEqual([IDS_PER_MESSAGE, IDS_PER_MESSAGE, 20]);
    expect(messages.flatMap((m) => m.ids)).toEqual(Array.from({ length: 120 }, (_, i) => `n${i}`));
  });

  it("never splits a reader's digest rows across messages (one digest email)", () => {
    const rows = [...Array.from({ length: 48 }, (_, i) => single(i)), digest('a', 1), single(99), digest('a', 2), digest('a', 3), digest('b', 1)];
    const messages = packMessages(rows);
    const holding = (id: string) => messages.findIndex((m) => m.ids.includes(id));
    expect(holding('a-d1')).toBe(holding('a-d2'));
    expect(holding('a-d1')).toBe(holding('a-d3'));
    expect(messages.every((m) => m.ids.length <= IDS_PER_MESSAGE)).toBe(true);
    expect(messages.flatMap((m) => m.ids).sort()).toEqual(rows.map((r) => r.id).sort());
  });
});

describe('sendCalls', () => {
  it('keeps each sendBatch call within 100 messages and the byte limit', () => {
    const small = Array.from({ length: 250 }, (_, i) => deliveryMessage([`id${i}`]));
    expect(sendCalls(small).map((c) => c.length)).toEqual([MESSAGES_PER_SEND, MESSAGES_PER_SEND, 50]);
    const big = Array.from({ length: 60 }, (_, i) => deliveryMessage(Array.from({ length: 50 }, (_, j) => `${'x'.repeat(60)}-${i}-${j}`)));
    const calls = sendCalls(big);
    for (const call of calls) expect(call.reduce((s, m) => s + JSON.stringify(m).length, 0)).toBeLessThanOrEqual(MAX_SEND_BYTES);
    expect(calls.flat()).toHaveLength(60);
  });
});
