/**
 * The test's D1 handle on a running site is a second workerd process (wrangler's platform
 * proxy) opening the same SQLite file as `wrangler dev`. SQLite locks that file across
 * processes and workerd sets no busy timeout, so a statement that meets the server's write
 * fails at once with SQLITE_BUSY ("database is locked", or for a read "Failed to get session
 * commit token"). Production D1 has one writer and never sees this; the tests' handle waits
 * and tries again instead of failing at random. (The other half of the rule: a test waits for
 * the server's work after the answer, e.g. its mail, before it reads D1; see mail.ts.)
 */
const LOCKED = /SQLITE_BUSY|database is locked/i;
const READ_LOCKED = /commit token/i; // a read that met a write: safe to run again
const TRIES = 20;
const PAUSE_MS = 50;

const messageOf = (error: unknown): string => {
  const e = error as { message?: unknown; cause?: { message?: unknown } };
  return `${String(e?.message ?? error)} ${String(e?.cause?.message ?? '')}`;
};

async function patiently<T>(sql: string, work: () => Promise<T>): Promise<T> {
  const readOnly = /^\s*(select|with|pragma)\b/i.test(sql);
  for (let attempt = 1; ; attempt++) {
    try {
      return await work();
    } catch (error) {
      const text = messageOf(error);
      const locked = LOCKED.test(text) || (readOnly && READ_LOCKED.test(text));
      if (!locked || attempt >= TRIES) throw error;
      await new Promise((resolve) => setTimeout(resolve, PAUSE_MS * attempt));
    }
  }
}

class PatientStatement {
  constructor(
    readonly inner: D1PreparedStatement,
    readonly sql: string,
  ) {}
  bind(...values: unknown[]): PatientStatement {
    return new PatientStatement(this.inner.bind(...values), this.sql);
  }
  first<T = unknown>(column?: string): Promise<T | null> {
    return patiently(this.sql, () => (column === undefined ? this.inner.first<T>() : this.inner.first<T>(column)));
  }
  run<T = unknown>(): Promise<D1Result<T>> {
    return patiently(this.sql, () => this.inner.run<T>());
  }
  all<T = unknown>(): Promise<D1Result<T>> {
    return patiently(this.sql, () => this.inner.all<T>());
  }
  raw<T = unknown[]>(options?: { columnNames?: boolean }): Promise<T[]> {
    return patiently(this.sql, () => this.inner.raw<T>(options as { columnNames?: false }));
  }
}

/** `d1` with every statement and batch tried again while the server holds the file's lock. */
export function patientD1(d1: D1Database): D1Database {
  const unwrap = (s: D1PreparedStatement) => (s instanceof PatientStatement ? s.inner : s);
  const patient = {
    prepare: (sql: string) => new PatientStatement(d1.prepare(sql), sql),
    batch: <T = unknown>(statements: D1PreparedStatement[]) => {
      const sqls = statements.map((s) => (s instanceof PatientStatement ? s.sql : ''));
      // A batch is one transaction: all or nothing, so a locked batch can run again whole.
      return patiently(sqls.every((s) => /^\s*(select|with)\b/i.test(s)) ? 'select' : 'write', () => d1.batch<T>(statements.map(unwrap)));
    },
    exec: (sql: string) => patiently(sql, () => d1.exec(sql)),
    dump: () => d1.dump(),
    withSession: () => {
      throw new Error('patientD1: sessions are not used by the tests');
    },
  };
  return patient as unknown as D1Database;
}
