// Queue mode's bookkeeping on a real local D1: what a dispatch run counts as in flight, the lease a
// waiting message extends, and the claim that marks a takeover of an expired claim (a re-send).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestD1, type TestD1 } from '../../test/helpers/d1';
import { claimDueNotifications, LEASE_TAKEOVER_NOTE, recordOutcomes } from './claims';
import { createEmailNotification } from './notifications';
import { countInFlight, extendDispatchLease, leaseForDispatch } from './queue-delivery';
import { toUnixSeconds } from '../time';
import { createUser } from '../readers/users';

let t: TestD1;
beforeAll(async () => {
  t = await createTestD1();
});
afterAll(async () => t?.dispose());

const NOW = new Date('2026-11-02T09:00:00Z'); // each test's one clock
const at = (seconds: number) => new Date(NOW.getTime() + seconds * 1000);

async function rows(prefix: string, n: number): Promise<string[]> {
  const ids: string[] = [];
  for (let i = 0; i < n; i += 1) {
    const user = await createUser(t.db, { email: `${prefix}${i}@queue.test` });
    await t.d1.prepare('UPDATE users SET email_verified = 1 WHERE id = ?1').bind(user.id).run();
    ids.push(
      await createEmailNotification(t.db, {
        userId: user.id,
        contentType: 'blog',
        contentId: `blog/${prefix}`,
        contentTitle: 'T',
        contentUrl: 'https://blog.test/t/',
      }),
    );
  }
  return ids;
}
const setStatus = (ids: string[], sql: string) =>
  t.d1.prepare(`UPDATE email_notifications SET ${sql} WHERE id IN (SELECT value FROM json_each(?1))`).bind(JSON.stringify(ids)).run();

describe('in flight: dispatched and not yet sent', () => {
  it('counts waiting rows with a live dispatch lease, through the partial index, and nothing else', async () => {
    await t.d1.prepare('DELETE FROM email_notifications').run();
    await rows('inflight', 8);
    expect(await countInFlight(t.db, NOW)).toBe(0); // pending, never dispatched
    const dispatched = await leaseForDispatch(t.db, { now: NOW, leaseSeconds: 900, limit: 6, maxAttempts: 5 });
    expect(dispatched).toHaveLength(6);
    expect(await countInFlight(t.db, NOW)).toBe(6);
    const [sent, claimed, retrying] = dispatched.map((r) => r.id);
    await setStatus([sent!], "status = 'sent', lease_expires_at = NULL");
    await setStatus([claimed!], `status = 'sending', lease_expires_at = ${toUnixSeconds(at(60))}`);
    await setStatus([retrying!], `status = 'failed', next_retry_at = ${toUnixSeconds(at(120))}`); // keeps its dispatch lease: still in flight
    expect(await countInFlight(t.db, NOW)).toBe(4);
    expect(await countInFlight(t.db, at(900))).toBe(0); // leases run out: the next dispatch takes them again
    const plan = await t.d1
      .prepare(`EXPLAIN QUERY PLAN SELECT count(*) FROM email_notifications INDEXED BY idx_email_notifications_dispatched
      WHERE status IN ('pending', 'failed') AND lease_expires_at IS NOT NULL AND lease_expires_at > 0`)
      .all<{ detail: string }>();
    expect(plan.results.map((r) => r.detail).join()).toMatch(/USING (COVERING )?INDEX idx_email_notifications_dispatched/);
  });

  it("a waiting message extends its waiting rows' lease, never shortens one, and leaves claimed or settled rows alone", async () => {
    await t.d1.prepare('DELETE FROM email_notifications').run();
    const [pending, later, failedRetry, failedFinal, sending, sent] = await rows('extend', 6);
    await setStatus([pending!], `lease_expires_at = ${toUnixSeconds(at(10))}`);
    await setStatus([later!], `lease_expires_at = ${toUnixSeconds(at(5_000))}`);
    await setStatus([failedRetry!], `status = 'failed', next_retry_at = ${toUnixSeconds(at(30))}`);
    await setStatus([failedFinal!], "status = 'failed', next_retry_at = NULL");
    await setStatus([sending!], `status = 'sending', lease_expires_at = ${toUnixSeconds(at(60))}`);
    await setStatus([sent!], "status = 'sent'");
    const all = [pending!, later!, failedRetry!, failedFinal!, sending!, sent!];
    expect(await extendDispatchLease(t.db, all, at(1_000))).toBe(3);
    const leases = await t.d1
      .prepare('SELECT id, lease_expires_at AS l FROM email_notifications WHERE id IN (SELECT value FROM json_each(?1))')
      .bind(JSON.stringify(all))
      .all<{ id: string; l: number | null }>();
    const lease = Object.fromEntries(leases.results.map((r) => [r.id, r.l]));
    expect(lease[pending!]).toBe(toUnixSeconds(at(1_000)));
    expect(lease[later!]).toBe(toUnixSeconds(at(5_000)));
    expect(lease[failedRetry!]).toBe(toUnixSeconds(at(1_000)));
    expect(lease[failedFinal!]).toBeNull();
    expect(lease[sending!]).toBe(toUnixSeconds(at(60)));
    expect(lease[sent!]).toBeNull();
  });
});

describe('a claim that takes over an expired claim', () => {
  it("marks the row resent (and only that row), and the outcome's history says so", async () => {
    await t.d1.prepare('DELETE FROM email_notifications').run();
    const [fresh, expired, retried] = await rows('takeover', 3);
    await setStatus([expired!], `status = 'sending', lease_expires_at = ${toUnixSeconds(at(-1))}`);
    await setStatus([retried!], `status = 'failed', retry_count = 1, next_retry_at = ${toUnixSeconds(at(-1))}, error_message = 'smtp 421'`);
    const claimed = await claimDueNotifications(t.db, {
      now: NOW,
      leaseSeconds: 300,
      limit: 10,
      messageIdDomain: 'queue.test',
      maxAttempts: 5,
      onlyIds: [fresh!, expired!, retried!],
    });
    const byId = new Map(claimed.map((r) => [r.id, r]));
    expect([byId.get(fresh!)?.resent, byId.get(expired!)?.resent, byId.get(retried!)?.resent]).toEqual([false, true, false]);
    expect(byId.get(expired!)?.retryCount).toBe(1); // the expired lease counts as an attempt, as before
    const note = await t.d1.prepare('SELECT error_message AS e FROM email_notifications WHERE id = ?1').bind(expired!).first<{ e: string }>();
    expect(note!.e).toBe(LEASE_TAKEOVER_NOTE); // why it is going again, visible while it is

    await recordOutcomes(
      t.db,
      claimed.map((row) => ({ kind: 'sent' as const, row, providerMessageId: `p-${row.id}`, messageIdHeader: row.messageIdHeader, statsType: 'blog' })),
      NOW,
    );
    const history = await t.d1
      .prepare(
        "SELECT notification_id AS id, details->>'resent' AS resent FROM email_notification_history WHERE action = 'sent' AND notification_id IN (?1, ?2, ?3)",
      )
      .bind(fresh, expired, retried)
      .all<{ id: string; resent: number | null }>();
    expect(Object.fromEntries(history.results.map((r) => [r.id, r.resent]))).toEqual({ [fresh!]: null, [expired!]: 1, [retried!]: null });
    const after = await t.d1
      .prepare("SELECT count(*) AS n FROM email_notifications WHERE error_message IS NOT NULL AND content_id = 'blog/takeover'")
      .first<{ n: number }>();
    expect(after!.n).toBe(0); // the outcome replaces the note
  });
});
