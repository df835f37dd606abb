import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestD1, type TestD1 } from '../../test/helpers/d1';
import { getEmailStatistics, statisticsUpsertQuery, updateEmailStatistics } from './statistics';

let t: TestD1;
beforeAll(async () => {
  t = await createTestD1();
});
afterAll(async () => t?.dispose());

describe('updateEmailStatistics', () => {
  it('creates the day row, then adds to it', async () => {
    await updateEmailStatistics(t.db, '2026-04-01', 'blog', { totalSent: 3, totalFailed: 1 });
    await updateEmailStatistics(t.db, '2026-04-01', 'blog', { totalSent: 2, totalOpened: 5 });
    expect(await getEmailStatistics(t.db, '2026-04-01', 'blog')).toMatchObject({
      totalSent: 5,
      totalFailed: 1,
      totalOpened: 5,
      totalDelivered: 0,
      totalBounced: 0,
      totalClicked: 0,
      totalUnsubscribed: 0,
    });
    expect(await getEmailStatistics(t.db, '2026-04-01', 'thought')).toBeUndefined();
  });

  it('loses no count under concurrent increments (one atomic upsert each)', async () => {
    await Promise.all(Array.from({ length: 20 }, () => updateEmailStatistics(t.db, '2026-04-02', 'thought', { totalSent: 1 })));
    expect((await getEmailStatistics(t.db, '2026-04-02', 'thought'))!.totalSent).toBe(20);
    const rows = await t.d1.prepare("SELECT count(*) AS n FROM email_statistics WHERE date_key = '2026-04-02'").first<{ n: number }>();
    expect(rows!.n).toBe(1);
  });

  it('runs inside a caller batch and bumps updated_at', async () => {
    const later = new Date('2026-04-03T12:00:00Z');
    await updateEmailStatistics(t.db, '2026-04-03', 'blog', { totalSent: 1 }, new Date('2026-04-03T08:00:00Z'));
    await t.db.batch([
      statisticsUpsertQuery(t.db, '2026-04-03', 'blog', { totalSent: 1, totalDelivered: 1 }, later),
      statisticsUpsertQuery(t.db, '2026-04-03', 'announcement', { totalBounced: 2 }, later),
    ]);
    expect(await getEmailStatistics(t.db, '2026-04-03', 'blog')).toMatchObject({ totalSent: 2, totalDelivered: 1, updatedAt: later });
    expect((await getEmailStatistics(t.db, '2026-04-03', 'announcement'))!.totalBounced).toBe(2);
  });

  it('refuses bad input with a clear error', async () => {
    await expect(updateEmailStatistics(t.db, '04/01/2026', 'blog', { totalSent: 1 })).rejects.toThrow(/YYYY-MM-DD/);
    await expect(updateEmailStatistics(t.db, '2026-04-01', 'blog', { totalSent: 1.5 })).rejects.toThrow(/integer/);
    await expect(updateEmailStatistics(t.db, '2026-04-01', 'blog', { totalLost: 1 } as never)).rejects.toThrow(/Unknown statistics counter/);
  });
});
