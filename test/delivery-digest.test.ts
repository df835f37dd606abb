import PostalMime from 'postal-mime';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { processNotifications } from '../integration/delivery/processor';
import { createFaultInjectionTransport } from './helpers/fault-injection';
import { createTestD1, type TestD1 } from './helpers/d1';
import { addContent, addReader, clearTables, rows, settableClock, testConfig } from './helpers/delivery';

let t: TestD1;
beforeAll(async () => {
  t = await createTestD1();
});
afterAll(async () => t?.dispose());
beforeEach(async () => clearTables(t.d1));

// Wednesday 25 Nov 2026; digests at 08:00 UTC, weekly on Monday (30 Nov).
const WED_10 = '2026-11-25T10:00:00Z';

function setup(config = testConfig({ DIGEST_HOUR_UTC: '8', DIGEST_WEEKDAY: '1' })) {
  const time = settableClock(WED_10);
  const transport = createFaultInjectionTransport();
  return { time, transport, deps: { db: t.db, transport, clock: time.clock, config } };
}

describe('digests', () => {
  it('groups every item since the last digest into one email per reader at the digest hour', async () => {
    const { time, transport, deps } = setup();
    const daily = await addReader(t.db, 'daily@example.org', { blog: true, thought: true, frequency: 'daily' });
    await addReader(t.db, 'weekly@example.org', { blog: true, frequency: 'weekly' });
    await addReader(t.db, 'now@example.org', { blog: true });
    await addContent(t.db, { title: 'First <post>', publishDate: '2026-11-25T09:00:00Z' });
    await addContent(t.db, { title: 'A thought', type: 'thought', publishDate: '2026-11-25T09:30:00Z' });

    // Immediate readers get theirs now; digest readers wait for their slot.
    expect(await processNotifications(deps)).toMatchObject({ fannedOut: 4, sent: 1, remaining: 0 });
    expect(transport.sent.map((e) => e.to)).toEqual(['now@example.org']);

    time.set('2026-11-26T07:59:59Z');
    await addContent(t.db, { title: 'Third', publishDate: '2026-11-26T07:00:00Z' }); // before the slot: same digest
    expect(await processNotifications(deps)).toMatchObject({ sent: 1 }); // the immediate reader only

    time.set('2026-11-26T08:00:00Z');
    const summary = await processNotifications(deps);
    expect(summary).toMatchObject({ sent: 1 }); // only the daily reader's digest: weekly waits for Monday
    const digest = transport.sent.at(-1)!;
    expect(digest.to).toBe('daily@example.org');
    const mail = await PostalMime.parse(digest.raw);
    expect(mail.subject).toBe('Your daily digest: 3 new from Plain Words');
    expect(mail.html).toContain('First &lt;post&gt;');
    for (const title of ['First <post>', 'A thought', 'Third']) expect(mail.text).toContain(title);
    expect(mail.text!.indexOf('First <post>')).toBeLessThan(mail.text!.indexOf('Third')); // oldest first
    expect(mail.headers.find((h) => h.key === 'list-id')?.value).toBe('<digest.blog.example.com>');

    const digestRows = await rows<{ status: string; message_id_header: string; email_message_id: string }>(
      t.d1,
      'SELECT status, message_id_header, email_message_id FROM email_notifications WHERE user_id = ?',
      daily.id,
    );
    expect(digestRows).toHaveLength(3);
    expect(new Set(digestRows.map((r) => r.status))).toEqual(new Set(['sent']));
    expect(new Set(digestRows.map((r) => r.message_id_header))).toEqual(new Set([digest.messageIdHeader]));
    expect(new Set(digestRows.map((r) => r.email_message_id)).size).toBe(1);
    const [stats] = await rows<{ total_sent: number }>(t.d1, "SELECT total_sent FROM email_statistics WHERE content_type = 'digest'");
    expect(stats!.total_sent).toBe(1); // one email, however many items

    // The mixed digest's one-click token unsubscribes from everything (no single content type).
    const token = /token=([^>&]+)>/.exec(mail.headers.find((h) => h.key === 'list-unsubscribe')!.value)![1]!;
    const [tokenRow] = await rows<{ content_type: string | null }>(
      t.d1,
      "SELECT content_type FROM unsubscribe_tokens WHERE token_type = 'one_click' AND user_id = ?",
      daily.id,
    );
    expect(token.length).toBeGreaterThan(20);
    expect(tokenRow!.content_type).toBeNull();

    // The next day: nothing new, so no digest at all.
    time.set('2026-11-27T08:00:00Z');
    expect(await processNotifications(deps)).toMatchObject({ sent: 0 });

    // Monday: the weekly reader's digest holds both blog posts.
    time.set('2026-11-30T08:00:00Z');
    expect(await processNotifications(deps)).toMatchObject({ sent: 1 });
    const weekly = await PostalMime.parse(transport.sent.at(-1)!.raw);
    expect(weekly.subject).toBe('Your weekly digest: 2 new from Plain Words');
    expect(transport.sent.map((e) => e.to)).toEqual(['now@example.org', 'now@example.org', 'daily@example.org', 'weekly@example.org']);
  });

  it('never repeats an item in a digest that the reader already got immediately', async () => {
    const { time, transport, deps } = setup();
    const reader = await addReader(t.db, 'switcher@example.org', { blog: true });
    await addContent(t.db, { title: 'Seen already', publishDate: '2026-11-25T09:00:00Z' });
    await processNotifications(deps);
    await t.d1.prepare("UPDATE users SET email_frequency = 'daily' WHERE id = ?").bind(reader.id).run();
    // The item is fanned out again by mistake (marked unnotified): no second row, no digest entry.
    await t.d1.prepare('UPDATE content_items SET notification_sent = 0').run();
    await addContent(t.db, { title: 'New one', publishDate: '2026-11-25T11:00:00Z' });
    time.set('2026-11-25T11:00:00Z');
    await processNotifications(deps);
    time.set('2026-11-26T08:00:00Z');
    await processNotifications(deps);
    expect(transport.sent).toHaveLength(2);
    const digest = await PostalMime.parse(transport.sent[1]!.raw);
    expect(digest.text).toContain('New one');
    expect(digest.text).not.toContain('Seen already');
  });

  it('sends no digest to a reader with nothing due, and a retried digest keeps its Message-ID', async () => {
    const config = testConfig();
    const time = settableClock(WED_10);
    const transport = createFaultInjectionTransport({ script: ['500'] });
    const deps = { db: t.db, transport, clock: time.clock, config, random: () => 0 };
    await addReader(t.db, 'idle@example.org', { blog: true, frequency: 'daily' });
    time.set('2026-11-26T08:00:00Z');
    expect(await processNotifications(deps)).toMatchObject({ sent: 0, fannedOut: 0 });
    expect(transport.attempts).toHaveLength(0);

    await addContent(t.db, { publishDate: '2026-11-26T09:00:00Z' });
    await addContent(t.db, { publishDate: '2026-11-26T09:10:00Z' });
    time.set('2026-11-26T10:00:00Z');
    await processNotifications(deps); // fan-out into tomorrow's digest
    time.set('2026-11-27T08:00:00Z');
    expect(await processNotifications(deps)).toMatchObject({ retried: 1, sent: 0 });
    time.advance(3600);
    expect(await processNotifications(deps)).toMatchObject({ sent: 1 });
    expect(transport.attempts.map((a) => a.email.messageIdHeader)).toEqual([
      transport.attempts[0]!.email.messageIdHeader,
      transport.attempts[0]!.email.messageIdHeader,
    ]);
  });
});
