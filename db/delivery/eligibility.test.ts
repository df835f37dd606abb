import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestD1, type TestD1 } from '../../test/helpers/d1';
import { claimDueNotifications } from './claims';
import {
  CONTENT_TYPE_OF_FIELD,
  PREFERENCE_FIELD,
  PREFERENCE_SQL_COLUMN,
  contentTypesOf,
  isContentType,
  preferenceFlags,
  receivesAccountMail,
  receivesContent,
  type ReaderState,
} from './eligibility';
import { getSubscribersForContentType } from './notifications';
import { CONTENT_TYPES, EMAIL_STATUSES, type ContentType } from '../schema';

/** Every user state the rule reads: 4 statuses x verified x unsubscribe_all x 8 preference sets x suppressed = 256 readers. */
type State = ReaderState & { id: string; suppressed: boolean };
const STATES: State[] = EMAIL_STATUSES.flatMap((emailStatus) =>
  [false, true].flatMap((emailVerified) =>
    [false, true].flatMap((unsubscribeAll) =>
      Array.from({ length: 8 }, (_, prefBits) => prefBits).flatMap((prefBits) =>
        [false, true].map((suppressed) => {
          const wanted = CONTENT_TYPES.filter((_, i) => (prefBits & (1 << i)) !== 0);
          const id = `${emailStatus}-v${+emailVerified}-u${+unsubscribeAll}-p${prefBits}-s${+suppressed}`;
          return { id, emailStatus, emailVerified, unsubscribeAll, ...preferenceFlags(wanted), suppressed };
        }),
      ),
    ),
  ),
);
/** The queued emails each reader gets: one per content type, and a verification email. */
const KINDS = [
  ...CONTENT_TYPES.map((t) => ({ contentType: t, notificationType: 'new_content' })),
  { contentType: 'system', notificationType: 'verification' },
] as const;

let t: TestD1;
beforeAll(async () => {
  t = await createTestD1();
  const rows = STATES.map((s) => ({
    id: s.id,
    e: `${s.id}@rule.test`,
    st: s.emailStatus,
    v: +s.emailVerified,
    u: +s.unsubscribeAll,
    ...Object.fromEntries(CONTENT_TYPES.map((c) => [c, +s[PREFERENCE_FIELD[c]]])),
  }));
  await t.d1.batch([
    t.d1
      .prepare(
        `INSERT INTO users (id, email, email_hash, email_status, email_verified, unsubscribe_all,
           ${CONTENT_TYPES.map((c) => PREFERENCE_SQL_COLUMN[c]).join(', ')})
         SELECT r.value->>'id', r.value->>'e', 'hash-' || (r.value->>'id'), r.value->>'st', r.value->>'v', r.value->>'u',
           ${CONTENT_TYPES.map((c) => `r.value->>'${c}'`).join(', ')}
         FROM json_each(?1) r`,
      )
      .bind(JSON.stringify(rows)),
    t.d1
      .prepare(`INSERT INTO suppressions (address_hash, reason, source) SELECT 'hash-' || value, 'complaint', 'test' FROM json_each(?1)`)
      .bind(JSON.stringify(STATES.filter((s) => s.suppressed).map((s) => s.id))),
    t.d1
      .prepare(
        `INSERT INTO email_notifications (id, user_id, content_type, content_id, content_title, content_url, notification_type, status)
         SELECT u.id || '/' || (k.value->>'c'), u.id, k.value->>'c', 'rule/' || (k.value->>'c'), 'T', 'https://blog.test/', k.value->>'n', 'pending'
         FROM users u, json_each(?1) k WHERE u.email LIKE '%@rule.test'`,
      )
      .bind(JSON.stringify(KINDS.map((k) => ({ c: k.contentType, n: k.notificationType })))),
  ]);
});
afterAll(async () => t?.dispose());

describe('the map', () => {
  it('goes both ways: content type → field → content type, and flags → content types', () => {
    for (const c of CONTENT_TYPES) expect(CONTENT_TYPE_OF_FIELD[PREFERENCE_FIELD[c]]).toBe(c);
    expect(PREFERENCE_SQL_COLUMN).toEqual({ blog: 'email_blog_updates', thought: 'email_thought_updates', announcement: 'email_announcements' });
    expect(contentTypesOf(preferenceFlags(['announcement', 'blog']))).toEqual(['blog', 'announcement']);
    expect(preferenceFlags([])).toEqual({ emailBlogUpdates: false, emailThoughtUpdates: false, emailAnnouncements: false });
    expect([isContentType('thought'), isContentType('system'), isContentType(1)]).toEqual([true, false, false]);
  });
});

describe(`the SQL rule and the predicate agree on all ${STATES.length} reader states`, () => {
  it('builds the full truth table (256 readers, 1,024 queued emails)', async () => {
    const counted = await t.d1.prepare(`SELECT (SELECT count(*) FROM users) AS users, (SELECT count(*) FROM email_notifications) AS queued`).first();
    expect(counted).toEqual({ users: 256, queued: 1024 });
  });

  it.each(CONTENT_TYPES)('fan-out filter (%s) = receivesContent', async (contentType: ContentType) => {
    const viaSql = new Set((await getSubscribersForContentType(t.db, contentType)).map((u) => u.id));
    const viaPredicate = new Set(STATES.filter((s) => receivesContent(s, contentType, s.suppressed)).map((s) => s.id));
    expect(viaPredicate.size).toBe(4); // verified, active, subscribed, unsuppressed: 4 of the 8 preference sets have this type
    expect([...viaSql].sort()).toEqual([...viaPredicate].sort());
  });

  it("send-time eligibility (db/delivery/claims.ts's claim) = receivesContent / receivesAccountMail", async () => {
    const claimed = await claimDueNotifications(t.db, { now: new Date(), leaseSeconds: 60, limit: 2000, messageIdDomain: 'rule.test', maxAttempts: 3 });
    expect(claimed).toHaveLength(1024);
    const byId = new Map(STATES.map((s) => [s.id, s]));
    const mismatches = claimed.filter((row) => {
      const s = byId.get(row.userId)!;
      const expected = isContentType(row.contentType) ? receivesContent(s, row.contentType, s.suppressed) : receivesAccountMail(s, s.suppressed);
      return row.eligible !== expected;
    });
    expect(mismatches.map((r) => r.id)).toEqual([]);
    expect(claimed.filter((r) => r.eligible && r.notificationType === 'verification')).toHaveLength(
      STATES.filter((s) => receivesAccountMail(s, s.suppressed)).length,
    );
  });
});
