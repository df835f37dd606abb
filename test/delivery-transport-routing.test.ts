// How the processor hands emails to transports: verification mail to the transactional
// transport, the rest to bulk; batch-capable transports get chunks of their maxBatchSize.
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { processNotifications } from '../integration/delivery/processor';
import type { OutgoingEmail, SendResult, Transport } from '../integration/delivery/transport';
import { createFaultInjectionTransport } from './helpers/fault-injection';
import { queueVerificationEmail } from '../integration/delivery/verification';
import { createTestD1, type TestD1 } from './helpers/d1';
import { addContent, addReader, clearTables, rows, SITE, testConfig } from './helpers/delivery';

let t: TestD1;
beforeAll(async () => {
  t = await createTestD1();
});
afterAll(async () => t?.dispose());
beforeEach(async () => clearTables(t.d1));

const clock = () => new Date('2026-11-25T10:00:00Z');

/** A batch transport that records each request's size and answers per email. */
function recordingBatchTransport(maxBatchSize: number, answer: (email: OutgoingEmail) => SendResult = () => ({ ok: true, providerMessageId: 'x' })) {
  const requests: OutgoingEmail[][] = [];
  const transport: Transport = {
    name: 'batchy',
    maxBatchSize,
    send: async (email) => answer(email),
    sendBatch: async (emails) => {
      requests.push([...emails]);
      return emails.map(answer);
    },
  };
  return { transport, requests };
}

describe('processor ↔ transports', () => {
  it('sends verification mail through the transactional transport and posts through bulk, in the same run', async () => {
    await addReader(t.db, 'reader@example.org');
    const fresh = await addReader(t.db, 'fresh@example.org', { verified: false });
    await queueVerificationEmail(t.db, { userId: fresh.id, email: 'fresh@example.org', verifyUrl: `${SITE}/verify?token=v` });
    await addContent(t.db, { title: 'Routing', publishDate: '2026-11-25T09:00:00Z' });
    const bulk = createFaultInjectionTransport();
    const transactional = createFaultInjectionTransport();
    const summary = await processNotifications({ db: t.db, transport: bulk, transactionalTransport: transactional, clock, config: testConfig() });
    expect(summary).toMatchObject({ sent: 2, failed: 0 });
    expect(bulk.sent.map((e) => e.to)).toEqual(['reader@example.org']);
    expect(transactional.sent.map((e) => e.to)).toEqual(['fresh@example.org']);
  });

  it("chunks a claimed batch by the transport's maxBatchSize: 25 emails, batches of 10 → requests of 10, 10, 5", async () => {
    for (let i = 0; i < 25; i++) await addReader(t.db, `r${i}@example.org`);
    await addContent(t.db, { title: 'Chunks', publishDate: '2026-11-25T09:00:00Z' });
    const { transport, requests } = recordingBatchTransport(10);
    const summary = await processNotifications({ db: t.db, transport, clock, config: testConfig() }, { batchSize: 50 });
    expect(summary.sent).toBe(25);
    expect(requests.map((r) => r.length)).toEqual([10, 10, 5]);
  });

  it('records a recipient_suppressed answer as a permanent failure with that error_code in history', async () => {
    await addReader(t.db, 'gone@example.org');
    await addReader(t.db, 'here@example.org');
    await addContent(t.db, { title: 'Suppressed', publishDate: '2026-11-25T09:00:00Z' });
    const { transport } = recordingBatchTransport(100, (email) =>
      email.to === 'gone@example.org'
        ? { ok: false, retryable: false, code: 'recipient_suppressed', error: 'inactive recipient' }
        : { ok: true, providerMessageId: `id-${email.to}` },
    );
    const summary = await processNotifications({ db: t.db, transport, clock, config: testConfig() });
    expect(summary).toMatchObject({ sent: 1, failed: 1, retried: 0 });
    const history = await rows<{ email: string; action: string; error_code: string | null }>(
      t.d1,
      `SELECT u.email, h.action, h.error_code FROM email_notification_history h JOIN users u ON u.id = h.user_id WHERE h.action IN ('sent', 'failed') ORDER BY u.email`,
    );
    expect(history).toEqual([
      { email: 'gone@example.org', action: 'failed', error_code: 'recipient_suppressed' },
      { email: 'here@example.org', action: 'sent', error_code: null },
    ]);
  });

  it('treats a batch answer of the wrong length as a crash: nothing of the batch is recorded as sent', async () => {
    await addReader(t.db, 'a@example.org');
    await addReader(t.db, 'b@example.org');
    await addContent(t.db, { title: 'Short answer', publishDate: '2026-11-25T09:00:00Z' });
    const broken: Transport = {
      name: 'broken',
      send: async () => ({ ok: true, providerMessageId: 'x' }),
      sendBatch: async () => [{ ok: true, providerMessageId: 'x' }],
    };
    await expect(processNotifications({ db: t.db, transport: broken, clock, config: testConfig() })).rejects.toThrow(/answered 1 results for 2 emails/);
    expect(await rows(t.d1, `SELECT id FROM email_notifications WHERE status = 'sent'`)).toEqual([]);
  });
});
