/** The console's overview figures and the admin role command, on real local D1. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { recentAdminActions } from '../db/admin/audit';
import { loadOverview } from '../db/admin/overview';
import { setAdminRole } from '../db/admin/roles';
import { updateEmailStatistics } from '../db/delivery/statistics';
import { overviewView } from '../integration/server/admin/overview';
import { createTestD1, type TestD1 } from './helpers/d1';

let t: TestD1;
const NOW = new Date('2026-11-25T10:30:20Z');
const NOW_S = Math.floor(NOW.getTime() / 1000);
const DAY = 86_400;

beforeAll(async () => {
  t = await createTestD1();
  // Five readers: 2 active, 1 unconfirmed, 1 bounced, 1 unsubscribed; joined at known days.
  const users = [
    ['a@example.com', 'active', 1, NOW_S - 200 * DAY, null],
    ['b@example.com', 'active', 1, NOW_S - 10 * DAY, null],
    ['c@example.com', 'active', 0, NOW_S - 5 * DAY, null],
    ['d@example.com', 'bounced', 1, NOW_S - 100 * DAY, null],
    ['e@example.com', 'unsubscribed', 1, NOW_S - 150 * DAY, NOW_S - 3 * DAY],
  ] as const;
  await t.d1.batch(
    users.map(([email, status, verified, created, unsub], i) =>
      t.d1
        .prepare('INSERT INTO users (id, email, email_status, email_verified, created_at, unsubscribed_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6)')
        .bind(`u${i}`, email, status, verified, created, unsub),
    ),
  );
  await t.d1.batch([
    t.d1
      .prepare(`INSERT INTO email_notifications (id, user_id, content_type, content_id, content_title, content_url, notification_type, status, scheduled_for)
      VALUES ('n1','u0','blog','blog/x','X','https://b/x','new_content','pending',NULL), ('n2','u1','blog','blog/x','X','https://b/x','digest','pending',?1),
             ('n3','u1','blog','blog/y','Y','https://b/y','new_content','sent',NULL), ('n4','u3','blog','blog/y','Y','https://b/y','digest','failed',NULL)`)
      .bind(NOW_S + 3600),
    // Sent long ago: outside the overview's week of finished rows.
    t.d1
      .prepare(`INSERT INTO email_notifications (id, user_id, content_type, content_id, content_title, content_url, notification_type, status, created_at)
      VALUES ('n5','u1','blog','blog/old','Old','https://b/old','new_content','sent',?1)`)
      .bind(NOW_S - 20 * DAY),
    t.d1
      .prepare(`INSERT INTO email_notification_history (id, user_id, action, details, timestamp) VALUES
      ('h1','u1','sent',json_object('messageId','<1@x>'),?1), ('h2','u1','sent',json_object('messageId','<2@x>'),?2),
      ('h3','u0','sent',json_object('messageId','<3@x>'),?3), ('h4','u4','complained',json_object('provider','postmark'),?2)`)
      .bind(NOW_S - 5, NOW_S - 3600, NOW_S - 2 * DAY),
  ]);
  await updateEmailStatistics(t.db, '2026-11-24', 'blog', { totalSent: 900, totalBounced: 2 }, NOW);
  await updateEmailStatistics(t.db, '2026-11-25', 'blog', { totalSent: 100, totalFailed: 1 }, NOW);
  await updateEmailStatistics(t.db, '2026-09-01', 'blog', { totalSent: 5000 }, NOW); // outside every window
});
afterAll(async () => {
  await t?.dispose();
});

describe('loadOverview', () => {
  it('counts readers by status, unconfirmed apart from active', async () => {
    const o = await loadOverview(t.db, NOW);
    expect(o.subscribers).toEqual({ active: 2, unconfirmed: 1, bounced: 1, unsubscribed: 1, blocked: 0, total: 5 });
  });

  it('draws 90 days of growth: sign-ups minus unsubscribes', async () => {
    const o = await loadOverview(t.db, NOW);
    expect(o.growth).toHaveLength(90);
    expect(o.growth[0]).toEqual({ day: '2026-08-28', value: 3 }); // a, d and e joined before the window
    expect(o.growth.find((p) => p.day === '2026-11-14')!.value).toBe(3);
    expect(o.growth.find((p) => p.day === '2026-11-15')!.value).toBe(4); // b
    expect(o.growth.find((p) => p.day === '2026-11-20')!.value).toBe(5); // c
    expect(o.growth.find((p) => p.day === '2026-11-22')!.value).toBe(4); // e left
    expect(o.growth.at(-1)).toEqual({ day: '2026-11-25', value: 4 });
  });

  it('sums sends per day in the last 30 days, and the queue by status and kind', async () => {
    const o = await loadOverview(t.db, NOW);
    expect(o.sends.map((d) => [d.day, d.sent, d.failed, d.bounced])).toEqual([
      ['2026-11-24', 900, 0, 2],
      ['2026-11-25', 100, 1, 0],
    ]);
    expect(o.queue.pending).toEqual({ immediate: 1, digest: 1 });
    expect(o.queue.sent).toEqual({ immediate: 1, digest: 0 });
    expect(o.queue.failed).toEqual({ immediate: 0, digest: 1 });
    expect(o.digestSlots).toEqual([{ at: new Date((NOW_S + 3600) * 1000), rows: 1 }]);
  });

  it('counts the pacing window by Message-ID and the rates against sends', async () => {
    const o = await loadOverview(t.db, NOW);
    expect(o.pacing).toEqual({ thisMinute: 1, today: 2 });
    expect(o.rates).toMatchObject({ sent: 1000, bounced: 2, complaints: 1, bounceRate: 0.002, complaintRate: 0.001, windowDays: 30 });
  });

  it('builds the view: next digest slots and charts with the 0.1% and 0.3% lines', async () => {
    const v = await overviewView(t.db, { ratePerMinute: 150, dailyCap: 2000, digestHourUtc: 8, digestWeekday: 1 }, NOW);
    expect(v.nextSlots.daily.toISOString()).toBe('2026-11-26T08:00:00.000Z');
    expect(v.nextSlots.weekly.toISOString()).toBe('2026-11-30T08:00:00.000Z');
    expect(v.charts.rates.refs.map((r) => r.label)).toEqual(['0.1%', '0.3%']);
    expect(v.charts.rates.refs[0]!.x).toBeLessThan(v.charts.rates.refs[1]!.x);
    expect(v.charts.growth.paths[0]!.d.split(' ')).toHaveLength(90);
    expect(v.charts.status.bars.map((b) => [b.label, b.value])).toEqual([
      ['Active', 2],
      ['Unconfirmed', 1],
      ['Bounced', 1],
      ['Unsubscribed', 1],
      ['Blocked', 0],
    ]);
  });
});

describe('setAdminRole (npm run admin:grant)', () => {
  it('grants and revokes by address, records it, and reports unknown addresses', async () => {
    expect(await setAdminRole(t.db, ' A@Example.com ', true, 'cli:test', NOW)).toEqual({ email: 'a@example.com', changed: true });
    expect(await setAdminRole(t.db, 'a@example.com', true, 'cli:test', NOW)).toEqual({ email: 'a@example.com', changed: false });
    expect((await t.d1.prepare("SELECT role FROM users WHERE id = 'u0'").first<{ role: string }>())!.role).toBe('admin');
    expect(await setAdminRole(t.db, 'a@example.com', false, 'cli:test', NOW)).toEqual({ email: 'a@example.com', changed: true });
    expect(await setAdminRole(t.db, 'nobody@example.com', true, 'cli:test', NOW)).toBeNull();
    const log = await recentAdminActions(t.db);
    expect(log.filter((e) => e.targetId === 'a@example.com').map((e) => [e.actor, e.action])).toEqual(
      expect.arrayContaining([
        ['cli:test', 'role_granted'],
        ['cli:test', 'role_revoked'],
      ]),
    );
  });
});
