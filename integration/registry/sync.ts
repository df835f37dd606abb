import { AstroError } from 'astro/errors';
import { awaitApprovalStatement, baselineStatement, readExistingContent, writeAtomically, type ContentRecord, type ExistingRow } from '../../db/content/sync';
import type { MeteredSqlRunner } from '../../db/sql-runner';

// The SQL is db/content/sync.ts's; this module plans and reports.
export * from '../../db/content/sync';
export type { MeteredSqlRunner, SqlStatement } from '../../db/sql-runner';

type SyncPlan = {
  added: ContentRecord[];
  changed: ContentRecord[];
  unchanged: number;
  /** Slugs in D1 for a watched collection or type that the build no longer has: reported, never deleted. */
  removed: string[];
};

export type SyncReport = SyncPlan & {
  dryRun: boolean;
  rowsWritten: number;
  /** Write statements sent (staging included). */
  statements: number;
  /** True when the write was too large for one batch and went through a staging table. */
  staged: boolean;
  roundTrips: number;
  ms: number;
  /** With `baseline`: published, unnotified entries marked notified in the same transaction. */
  baselined: number | null;
  /** With `approval: 'manual'`: new entries left waiting in the console for the author to send (null: `auto`). */
  awaitingApproval: number | null;
  /** Entries with `draft: true`, skipped by the collector (counted so the log never skips silently). */
  drafts?: number;
};

/** Compare the build with what D1 holds. `watched` are the collection names and content types in scope. */
export function planSync(existing: ExistingRow[], records: ContentRecord[], watched: { collections: string[]; types: string[] }): SyncPlan {
  const bySlug = new Map(existing.map((row) => [row.slug, row]));
  const plan: SyncPlan = { added: [], changed: [], unchanged: 0, removed: [] };
  for (const r of records) {
    const row = bySlug.get(r.slug);
    if (!row) plan.added.push(r);
    else if (row.content_hash !== r.contentHash || row.content_url !== r.contentUrl || row.file_path !== r.filePath || row.content_type !== r.contentType)
      plan.changed.push(r);
    else plan.unchanged++;
  }
  const built = new Set(records.map((r) => r.slug));
  const collections = new Set(watched.collections);
  const types = new Set(watched.types);
  for (const row of existing) {
    const collection = row.slug.slice(0, row.slug.indexOf('/'));
    if (!built.has(row.slug) && (types.has(row.content_type) || collections.has(collection))) {
      plan.removed.push(row.slug);
    }
  }
  plan.removed.sort();
  return plan;
}

/** A database that was never migrated has no content_items: say how to fix it. */
function explainReadError(err: unknown): never {
  const message = err instanceof Error ? err.message : String(err);
  if (/no such table:?\s*content_items/i.test(message)) {
    throw new AstroError(
      'The database has no content_items table: its migrations have not been applied.',
      'Run `npx astro-d1-notify migrations --local` (or `--remote` for the remote database), then build again.',
    );
  }
  throw err;
}

/**
 * Read what D1 holds (one query), plan, then write only new and changed rows atomically
 * (db/content/sync.ts writeAtomically: a failed sync leaves content_items as it was).
 */
export async function syncContent(
  db: MeteredSqlRunner,
  records: ContentRecord[],
  watched: { collections: string[]; types: string[] },
  options: { dryRun?: boolean; baseline?: boolean; approval?: 'auto' | 'manual'; now?: () => number; at?: Date } = {},
): Promise<SyncReport> {
  const now = options.now ?? (() => performance.now());
  const started = now();
  const tripsBefore = db.roundTrips;
  const existing = await readExistingContent(db).catch(explainReadError);
  const plan = planSync(existing, records, watched);
  const at = Math.floor((options.at ?? new Date()).getTime() / 1000);
  const manual = options.approval === 'manual' && plan.added.length > 0;
  const after = [
    ...(manual
      ? [
          awaitApprovalStatement(
            plan.added.map((r) => r.slug),
            options.baseline ? at : null,
          ),
        ]
      : []),
    ...(options.baseline ? [baselineStatement(at)] : []),
  ];
  const { afterChanges, ...written } = options.dryRun
    ? { rowsWritten: 0, statements: 0, staged: false, afterChanges: [] as number[] }
    : await writeAtomically(db, [...plan.added, ...plan.changed], undefined, after);
  return {
    ...plan,
    ...written,
    baselined: options.baseline && !options.dryRun ? (afterChanges[manual ? 1 : 0] ?? 0) : null,
    awaitingApproval: options.approval !== 'manual' ? null : manual && !options.dryRun ? (afterChanges[0] ?? 0) : 0,
    dryRun: options.dryRun === true,
    roundTrips: db.roundTrips - tripsBefore,
    ms: Math.round(now() - started),
  };
}

/** `content: 3 new, 1 changed, 120 unchanged, 0 removed (42 ms)` */
export function summaryLine(report: SyncReport): string {
  const label = report.dryRun ? 'content (dry run, nothing written)' : 'content';
  return (
    `${label}: ${report.added.length} new, ${report.changed.length} changed, ` +
    `${report.unchanged} unchanged, ${report.removed.length} removed` +
    (report.drafts === undefined ? '' : `, ${report.drafts} ${report.drafts === 1 ? 'draft' : 'drafts'} skipped`) +
    (report.baselined === null ? '' : `, ${report.baselined} baselined (marked notified, no email)`) +
    (report.awaitingApproval ? `, ${report.awaitingApproval} waiting for you to send them in the console (approval: manual)` : '') +
    ` (${report.ms} ms)`
  );
}

/** The lines before the summary: one per new entry, one per removed slug. */
export function detailLines(report: SyncReport): string[] {
  const day = (s: number) => new Date(s * 1000).toISOString().slice(0, 10);
  return [
    ...report.added.map((r) => `${report.dryRun ? 'would add' : 'new'}: ${r.slug} "${r.title}" (${day(r.publishDate)})`),
    ...report.changed.map((r) => `${report.dryRun ? 'would update' : 'changed'}: ${r.slug}`),
    ...report.removed.map((s) => `removed from the site (row kept in D1): ${s}`),
  ];
}
