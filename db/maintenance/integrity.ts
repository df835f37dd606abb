/**
 * The integrity check of the spec's "Data Integrity Validation": SQLite's own checks plus
 * the consistency queries, each one set-based query returning a count and a few sample ids.
 * Runs on any SqlRunner: `npx astro-d1-notify db:integrity` (local or remote) and the weekly cron.
 */
import { ANY_PREFERENCE_ON_SQL } from '../delivery/eligibility';
import { checkStoredAddresses } from './integrity-addresses';
import { stmt, type SqlRunner } from '../sql-runner';

/** How many offending ids a finding lists (the count is always complete). */
export const SAMPLE_SIZE = 5;

export type Severity = 'error' | 'warning';
export type Finding = { check: string; severity: Severity; count: number; sample: string[]; description: string };
export type IntegrityReport = {
  ok: boolean;
  /** `integrity_check`, or `quick_check` where the database refuses it (D1 does: SQLITE_AUTH). */
  storageCheck: 'integrity_check' | 'quick_check';
  storageNote?: string;
  findings: Finding[];
};

type Consistency = { check: string; severity: Severity; description: string; id: string; from: string };

// Each `from` is the FROM … WHERE of the offending rows; `id` names the row in the sample.
const CONSISTENCY: Consistency[] = [
  {
    check: 'orphaned_sessions',
    severity: 'warning',
    description: 'sessions whose user no longer exists (sample: the missing user ids; a session id is a token hash)',
    id: 's.user_id',
    from: 'sessions s LEFT JOIN users u ON u.id = s.user_id WHERE u.id IS NULL',
  },
  {
    check: 'notifications_without_content',
    severity: 'warning',
    description: 'queued or sent notifications whose content item is gone from content_items',
    id: 'n.id',
    from: `email_notifications n WHERE n.content_type IN ('blog', 'thought', 'announcement')
      AND NOT EXISTS (SELECT 1 FROM content_items c WHERE c.slug = n.content_id)`,
  },
  {
    check: 'unsubscribed_but_active',
    severity: 'error',
    description: 'readers unsubscribed from everything who are still active with preferences on (they would be mailed)',
    id: 'id',
    from: `users WHERE unsubscribe_all = 1 AND email_verified = 1 AND email_status = 'active'
      AND ${ANY_PREFERENCE_ON_SQL}`,
  },
  {
    check: 'pending_for_unreachable_readers',
    severity: 'warning',
    description: 'pending notifications of readers who bounced, were blocked or unsubscribed (they will be cancelled at send time)',
    id: 'n.id',
    from: `email_notifications n JOIN users u ON u.id = n.user_id
      WHERE n.status = 'pending' AND n.content_type <> 'system' AND (u.email_status <> 'active' OR u.unsubscribe_all = 1)`,
  },
];

/** The SQL of one consistency check: its count and a sample of ids in one query. */
export function consistencySql(c: Pick<Consistency, 'id' | 'from'>): string {
  return `SELECT count(*) AS count, (SELECT json_group_array(x) FROM (SELECT ${c.id} AS x FROM ${c.from} LIMIT ${SAMPLE_SIZE})) AS sample FROM ${c.from}`;
}

const isNotAuthorized = (error: unknown) => /not authorized|SQLITE_AUTH/i.test(String(error instanceof Error ? error.message : error));

/** PRAGMA integrity_check, falling back to quick_check where D1 answers SQLITE_AUTH. */
async function storageCheck(db: SqlRunner): Promise<Pick<IntegrityReport, 'storageCheck' | 'storageNote'> & { problems: string[] }> {
  const problemsOf = (rows: Record<string, unknown>[]) => rows.map((r) => String(Object.values(r)[0])).filter((v) => v !== 'ok');
  try {
    return { storageCheck: 'integrity_check', problems: problemsOf(await db.query(stmt('PRAGMA integrity_check'))) };
  } catch (error) {
    if (!isNotAuthorized(error)) throw error;
    return {
      storageCheck: 'quick_check',
      storageNote:
        'D1 refuses PRAGMA integrity_check (SQLITE_AUTH); ran PRAGMA quick_check: every check of integrity_check except that index entries match their rows',
      problems: problemsOf(await db.query(stmt('PRAGMA quick_check'))),
    };
  }
}

export async function runIntegrityCheck(db: SqlRunner): Promise<IntegrityReport> {
  const storage = await storageCheck(db);
  const findings: Finding[] = [
    {
      check: storage.storageCheck,
      severity: 'error',
      description: 'SQLite storage check (pages, cells, records)',
      count: storage.problems.length,
      sample: storage.problems.slice(0, SAMPLE_SIZE),
    },
  ];
  // Rows: { table, rowid, parent, fkid } per violation.
  const fk = await db.query<{ table: string; rowid: number | null; parent: string }>(stmt('PRAGMA foreign_key_check'));
  findings.push({
    check: 'foreign_key_check',
    severity: 'error',
    description: 'rows whose foreign key points at a missing parent row',
    count: fk.length,
    sample: fk.slice(0, SAMPLE_SIZE).map((r) => `${r.table}#${r.rowid} -> ${r.parent}`),
  });
  const results = await Promise.all(CONSISTENCY.map((c) => db.query<{ count: number; sample: string }>(stmt(consistencySql(c)))));
  // The address rule and its hash are JS (db/readers/email-address.ts, SHA-256): checked beside the SQL.
  const addresses = await checkStoredAddresses(db, SAMPLE_SIZE);
  CONSISTENCY.forEach((c, i) => {
    const row = results[i]![0]!;
    findings.push({
      check: c.check,
      severity: c.severity,
      description: c.description,
      count: Number(row.count),
      sample: JSON.parse(row.sample ?? '[]') as string[],
    });
    if (c.check === 'orphaned_sessions') {
      findings.push(
        {
          check: 'invalid_emails',
          severity: 'error',
          description: 'addresses the one address rule (db/readers/email-address.ts) refuses, or not stored in their normalised form',
          ...addresses.invalid,
        },
        {
          check: 'email_hash_mismatch',
          severity: 'error',
          description: 'readers whose email_hash is missing or is not the SHA-256 of their address (the suppression list would miss them)',
          ...addresses.hash,
        },
      );
    }
  });
  return { ok: findings.every((f) => f.count === 0), storageCheck: storage.storageCheck, storageNote: storage.storageNote, findings };
}

/** A plain-text report: one line per check, the sample ids after a problem. */
export function formatIntegrityReport(report: IntegrityReport): string {
  const lines = report.findings.map((f) => {
    const mark = f.count === 0 ? 'ok  ' : f.severity === 'error' ? 'FAIL' : 'WARN';
    const sample = f.count > 0 && f.sample.length ? `  e.g. ${f.sample.join(', ')}` : '';
    return `${mark} ${f.check.padEnd(32)} ${String(f.count).padStart(7)}  ${f.description}${sample}`;
  });
  if (report.storageNote) lines.push(`note: ${report.storageNote}`);
  lines.push(report.ok ? 'Integrity: everything is consistent.' : `Integrity: ${report.findings.filter((f) => f.count > 0).length} check(s) found problems.`);
  return lines.join('\n');
}
