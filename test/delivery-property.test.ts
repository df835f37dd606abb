/**
 * Property: over random readers, posts, preference changes, unsubscribes, bounces and transport
 * faults, after the queue drains every reader who wanted a post has exactly one notification
 * for it, `sent` or finally `failed`; nothing is left pending or claimed; no message is
 * accepted twice; and nobody gets an email after unsubscribing from it or bouncing.
 */
import fc from 'fast-check';
import PostalMime from 'postal-mime';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { recordBounce } from '../integration/delivery/bounces';
import { processNotifications } from '../integration/delivery/processor';
import { createFaultInjectionTransport, type FaultOutcome } from './helpers/fault-injection';
import { unsubscribeUserFromAll, updateUserPreferences } from '../db/readers/preferences';
import { createTestD1, type TestD1 } from './helpers/d1';
import { addContent, addReader, clearTables, rows, settableClock, testConfig } from './helpers/delivery';

let t: TestD1;
beforeAll(async () => {
  t = await createTestD1();
});
afterAll(async () => t?.dispose());

const TYPES = ['blog', 'thought'] as const;
type Type = (typeof TYPES)[number];

const readerArb = fc.record({
  blog: fc.boolean(),
  thought: fc.boolean(),
  frequency: fc.constantFrom('immediate' as const, 'immediate' as const, 'daily' as const),
  verified: fc.constantFrom(true, true, true, false),
});

const opArb = (readers: number) =>
  fc.oneof(
    fc.record({ kind: fc.constant('run' as const) }),
    fc.record({ kind: fc.constant('advance' as const), seconds: fc.integer({ min: 30, max: 4 * 3600 }) }),
    fc.record({ kind: fc.constant('unsubscribeAll' as const), reader: fc.nat(readers - 1) }),
    fc.record({ kind: fc.constant('preferenceOff' as const), reader: fc.nat(readers - 1), type: fc.constantFrom(...TYPES) }),
    // A preference flipped without cancelling pending mail: only the send-time check can stop it.
    fc.record({ kind: fc.constant('preferenceOffRaw' as const), reader: fc.nat(readers - 1), type: fc.constantFrom(...TYPES) }),
    fc.record({ kind: fc.constant('bounce' as const), reader: fc.nat(readers - 1) }),
  );

const scenarioArb = fc
  .record({
    readers: fc.array(readerArb, { minLength: 1, maxLength: 5 }),
    posts: fc.array(fc.constantFrom(...TYPES), { minLength: 1, maxLength: 3 }),
    faults: fc.array(fc.constantFrom<FaultOutcome>('ok', 'ok', '429', '500', 'timeout', '400'), { maxLength: 25 }),
  })
  .chain((s) => fc.record({ scenario: fc.constant(s), ops: fc.array(opArb(s.readers.length), { maxLength: 8 }) }));

describe('delivery property', () => {
  it('every wanted post reaches each reader exactly once (sent or finally failed), never after they leave', async () => {
    await fc.assert(
      fc.asyncProperty(scenarioArb, async ({ scenario, ops }) => {
        await clearTables(t.d1);
        const time = settableClock('2026-11-25T10:00:00Z');
        const transport = createFaultInjectionTransport({
          script: () => scenario.faults[transport.attempts.length] ?? 'ok',
        });
        const deps = { db: t.db, transport, clock: time.clock, config: testConfig({ MAX_ATTEMPTS: '5' }), random: () => 0.5 };

        const readers = [];
        for (const [i, r] of scenario.readers.entries()) readers.push(await addReader(t.db, `r${i}@example.org`, r));
        const posts = [];
        for (const [i, type] of scenario.posts.entries()) {
          const title = `Title ${type} #${i} end`;
          posts.push({ type, title, item: await addContent(t.db, { type, title, publishDate: '2026-11-25T09:00:00Z' }) });
        }

        // Model: per reader, which types they still want, and from which transport index on they must get nothing.
        const wants = readers.map((_, i) => ({
          blog: scenario.readers[i]!.blog && scenario.readers[i]!.verified,
          thought: scenario.readers[i]!.thought && scenario.readers[i]!.verified,
        }));
        const cutoff: { reader: number; type: Type | 'all'; fromSend: number }[] = [];
        const stop = (reader: number, type: Type | 'all') => {
          cutoff.push({ reader, type, fromSend: transport.sent.length });
          if (type === 'all') wants[reader] = { blog: false, thought: false };
          else wants[reader]![type] = false;
        };

        for (const op of ops) {
          const now = time.clock();
          if (op.kind === 'run') await processNotifications(deps);
          else if (op.kind === 'advance') time.advance(op.seconds);
          else if (op.kind === 'unsubscribeAll') {
            await unsubscribeUserFromAll(t.db, readers[op.reader]!.id, now);
            stop(op.reader, 'all');
          } else if (op.kind === 'preferenceOff') {
            await updateUserPreferences(t.db, readers[op.reader]!.id, { [op.type === 'blog' ? 'emailBlogUpdates' : 'emailThoughtUpdates']: false }, now);
            stop(op.reader, op.type);
          } else if (op.kind === 'preferenceOffRaw') {
            const column = op.type === 'blog' ? 'email_blog_updates' : 'email_thought_updates';
            await t.d1.prepare(`UPDATE users SET ${column} = 0 WHERE id = ?`).bind(readers[op.reader]!.id).run();
            stop(op.reader, op.type);
          } else {
            await recordBounce(t.db, readers[op.reader]!.email, 'hard', { now });
            stop(op.reader, 'all');
          }
        }
        // Drain: every retry (≤ 6 h backoff) and every digest slot comes due.
        for (let i = 0; i < 12; i++) {
          time.advance(7 * 3600);
          await processNotifications(deps);
          const [open] = await rows<{ n: number }>(
            t.d1,
            "SELECT count(*) AS n FROM email_notifications WHERE status IN ('pending', 'sending') OR (status = 'failed' AND next_retry_at IS NOT NULL)",
          );
          if (open!.n === 0) break;
        }

        const all = await rows<{ user_id: string; content_id: string; content_type: Type; status: string; next_retry_at: number | null }>(
          t.d1,
          'SELECT user_id, content_id, content_type, status, next_retry_at FROM email_notifications',
        );
        expect(all.filter((r) => r.status === 'pending' || r.status === 'sending')).toEqual([]);
        expect(all.filter((r) => r.status === 'failed' && r.next_retry_at !== null)).toEqual([]);

        for (const [i, reader] of readers.entries()) {
          for (const { type, item } of posts) {
            const mine = all.filter((r) => r.user_id === reader.id && r.content_id === item.slug);
            if (wants[i]![type]) {
              expect(mine, `${reader.email} wants ${item.slug}`).toHaveLength(1);
              expect(['sent', 'failed']).toContain(mine[0]!.status);
            } else {
              expect(mine.length).toBeLessThanOrEqual(1);
            }
          }
        }
        // No message accepted twice (no crashes in this property).
        expect(new Set(transport.sent.map((e) => e.messageIdHeader)).size).toBe(transport.sent.length);
        // Nobody gets mail of a type after leaving it (a digest counts if it could hold that type).
        for (const c of cutoff) {
          const address = readers[c.reader]!.email;
          const later = transport.sent.slice(c.fromSend).filter((e) => e.to === address);
          if (c.type === 'all') expect(later, `${address} left`).toEqual([]);
          else {
            const titles = posts.filter((p) => p.type === c.type).map((p) => p.title);
            for (const e of later) {
              const text = (await PostalMime.parse(e.raw)).text ?? '';
              for (const title of titles) expect(text, `${address} left ${c.type}`).not.toContain(title);
            }
          }
        }
      }),
      { numRuns: 25, seed: 20261125, endOnFailure: true },
    );
  }, 240_000);
});
