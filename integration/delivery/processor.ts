/**
 * The notification processor: one bounded run of the delivery pipeline. Its dependencies
 * (database, transport, clock, configuration, randomness) are passed in, so the Cron
 * Trigger, the API route, the CLI, the tests and the benchmark all run this same code.
 *
 * A run: (1) fan out published, unnotified content; then, batch after batch until the queue,
 * the pacing window, the time budget or the query budget runs out: (2+3) claim due digests
 * (grouped per reader) and due single notifications with a lease, (4) cancel those no longer
 * wanted, (5+6) render and build each message, (7) send and record all outcomes in one
 * batch(). (8) Pacing bounds each claim. A crash at any point leaves at most one batch in
 * `sending`; its leases expire and the next run picks it up (the batch is the checkpoint).
 */
import type { Db } from '../../db/client';
import { claimDueNotifications, countDue, recordOutcomes, type Outcome } from '../../db/delivery/claims';
import { releaseSendAllowance, reserveSendAllowance } from '../../db/delivery/send-allowance';
import { getActiveTemplates } from '../../db/content/templates';
import { TOKENS_PER_STATEMENT } from '../../db/readers/unsubscribe-tokens';
import { bulkPauseCheck } from './complaint-guard';
import { suppressReportedRecipients } from './provider-suppressions';
import { deliverBatch } from './batch';
import type { DeliveryConfig } from './config';
import { fanOutPublished, MAX_ITEMS_PER_RUN } from './fanout';
import { allowance, isUnlimited } from './pacing';
import { TemplateSet } from './render';
import type { Transport } from './transport';

export const DEFAULT_BATCH_SIZE = 50; // emails per claim
export const MAX_BATCH_SIZE = 200; // bounds one batch's statements (tokens) and the JSON parameters
export const DEFAULT_TIME_BUDGET_MS = 25_000; // well inside a Worker invocation's limits
/** D1 allows 1,000 queries per invocation (each statement of a batch() counts); keep a margin. */
export const QUERY_BUDGET = 900;
const STATEMENTS_PER_RUN = 7 + 2 * MAX_ITEMS_PER_RUN; // templates, final count, complaint check (2), fan-out (2 per item)
/**
 * Worst case per batch: pacing 2 (reserve, release), claim 4, digest Message-ID 1, tokens (2 per email, 250
 * per INSERT), record 2 + statistics ≤ 5 + readers 1, provider-suppressed recipients 2, the batch's posts 1.
 */
export const statementsPerBatch = (batchSize: number): number => 18 + Math.ceil((2 * batchSize) / TOKENS_PER_STATEMENT);

export type DeliveryDeps = {
  db: Db;
  transport: Transport;
  /** Verification mail, when it goes through another transport than bulk mail (MAIL_TRANSPORT_TRANSACTIONAL). */
  transactionalTransport?: Transport;
  clock: () => Date;
  config: DeliveryConfig;
  /** [0, 1); backoff jitter. Default Math.random. */
  random?: () => number;
};

export type RunOptions = {
  batchSize?: number;
  timeBudgetMs?: number;
  /** Send only these notifications (if due), skipping fan-out and digests: e.g. a verification email right away. */
  onlyNotificationIds?: string[];
};

export type RunSummary = {
  /** Notifications created by the fan-out. */
  fannedOut: number;
  /** Emails accepted by the transport (a digest is one email). */
  sent: number;
  /** Emails that failed for good (permanent error or attempts used up). */
  failed: number;
  /** Emails that failed transiently and were scheduled again with backoff. */
  retried: number;
  /** Notifications cancelled at send time (reader unsubscribed, bounced, blocked, preference off). */
  cancelled: number;
  /** Due notifications held back by pacing (per-minute rate or daily cap). */
  deferred: number;
  /** Due notifications left in the queue when the run ended. */
  remaining: number;
  /** When pacing lets the next email go, if pacing stopped the run. */
  nextWindowAt?: string;
  batches: number;
  durationMs: number;
  errors: string[];
  /** Set while bulk sending is paused by the complaint guard (integration/delivery/complaint-guard.ts): nothing was claimed. */
  paused?: { since?: string; reason?: string; howToResume: string };
};

/** Emails a batch handed to the transport (or tried to build): a digest's rows are one email. */
const emailsAttempted = (outcomes: readonly Outcome[]): number =>
  new Set(outcomes.filter((o) => o.kind !== 'cancelled').map((o) => (o.row.notificationType === 'digest' ? `digest:${o.row.userId}` : o.row.id))).size;

/** Counts emails (not rows) per kind of outcome: a digest's rows share one Message-ID. */
function tally(summary: RunSummary, outcomes: readonly Outcome[]) {
  const seen = new Set<string>();
  for (const o of outcomes) {
    if (o.kind === 'cancelled') {
      summary.cancelled += 1;
      continue;
    }
    const key = `${o.kind}:${o.row.notificationType === 'digest' ? `digest:${o.row.userId}` : o.row.id}`;
    if (seen.has(key)) continue;
    seen.add(key);
    if (o.kind === 'sent') summary.sent += 1;
    else if (o.kind === 'retry') summary.retried += 1;
    else summary.failed += 1;
  }
}

export async function processNotifications(deps: DeliveryDeps, opts: RunOptions = {}): Promise<RunSummary> {
  const { db, config } = deps;
  const startedMs = Date.now(); // the budget is wall time; deps.clock is the business clock
  const batchSize = Math.min(MAX_BATCH_SIZE, Math.max(1, opts.batchSize ?? DEFAULT_BATCH_SIZE));
  const timeBudgetMs = opts.timeBudgetMs ?? DEFAULT_TIME_BUDGET_MS;
  const random = deps.random ?? Math.random;
  const only = opts.onlyNotificationIds;
  const summary: RunSummary = {
    fannedOut: 0,
    sent: 0,
    failed: 0,
    retried: 0,
    cancelled: 0,
    deferred: 0,
    remaining: 0,
    batches: 0,
    durationMs: 0,
    errors: [],
  };

  if (!only) {
    const fanOut = await fanOutPublished(db, deps.clock(), { hourUtc: config.digestHourUtc, weeklyDay: config.digestWeekday });
    summary.fannedOut = fanOut.notifications;
    summary.errors.push(...fanOut.errors);
  }
  if (only && only.length === 0) return finish(summary, startedMs);
  // A run for given ids sends account mail (verification), which a complaint pause does not stop.
  if (!only) {
    const paused = await bulkPauseCheck(db, deps.clock());
    if (paused) {
      summary.paused = paused;
      summary.remaining = await countDue(db, deps.clock(), config.maxAttempts);
      return finish(summary, startedMs);
    }
  }

  const templates = new TemplateSet(await getActiveTemplates(db)); // parsed once per run, on first use
  const limits = { ratePerMinute: config.ratePerMinute, dailyCap: config.dailyCap };
  const maxBatches = Math.max(1, Math.floor((QUERY_BUDGET - STATEMENTS_PER_RUN) / statementsPerBatch(batchSize)));
  let pacedUntil: Date | undefined;
  let handled = 0; // notifications settled (sent, failed for good, cancelled)

  while (summary.batches < maxBatches && Date.now() - startedMs < timeBudgetMs) {
    const now = deps.clock();
    let limit = batchSize;
    let reserved = 0;
    if (!isUnlimited(limits)) {
      // Reserved atomically in D1 before claiming, so overlapping runs share one allowance.
      const reservation = await reserveSendAllowance(db, { want: batchSize, now, limits });
      if (reservation.granted === 0) {
        pacedUntil = allowance(limits, { thisMinute: reservation.minuteUsed, today: reservation.dayUsed }, now).nextWindowAt;
        break;
      }
      limit = reserved = reservation.granted;
    }
    const claimed = await claimDueNotifications(db, {
      now,
      limit,
      leaseSeconds: config.leaseSeconds,
      messageIdDomain: config.messageIdDomain,
      maxAttempts: config.maxAttempts,
      onlyIds: only,
    });
    if (claimed.length === 0) {
      await releaseSendAllowance(db, { unused: reserved, reservedAt: now });
      break;
    }
    summary.batches += 1;
    const outcomes = await deliverBatch(
      { db, transport: deps.transport, transactionalTransport: deps.transactionalTransport, config, templates, random, now },
      claimed,
    );
    await recordOutcomes(db, outcomes, now);
    await suppressReportedRecipients(db, outcomes, deps.transport.name, now);
    await releaseSendAllowance(db, { unused: reserved - emailsAttempted(outcomes), reservedAt: now });
    tally(summary, outcomes);
    handled += outcomes.filter((o) => o.kind !== 'retry').length;
    if (only) break; // the given ids were all claimable in one go
  }

  // A run for given ids (a subscribe request) does not count the whole queue.
  summary.remaining = only ? Math.max(0, only.length - handled) : await countDue(db, deps.clock(), config.maxAttempts);
  if (pacedUntil) {
    summary.deferred = summary.remaining;
    summary.nextWindowAt = pacedUntil.toISOString();
  }
  return finish(summary, startedMs);
}

function finish(summary: RunSummary, startedMs: number): RunSummary {
  summary.durationMs = Date.now() - startedMs;
  return summary;
}
