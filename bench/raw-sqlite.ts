/**
 * The raw node:sqlite ceiling in a child process: node:sqlite is synchronous and a 50,000-row
 * statement blocks its event loop for a second, which in the bench's own process once broke
 * the next D1 call (`SocketError: other side closed`). Here it blocks only the child.
 *
 * The parent opens one database per journal mode (file DB, foreign keys on, the same
 * migrations), seeds it, hands over the fan-out's SQL and parameters as the bench worker's
 * production code built them, then asks for timed runs: one transaction each, the queue
 * cleared after each run (not timed). Run as `node --import tsx bench/raw-sqlite.ts --child`.
 */
import { fork, type ChildProcess } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { DatabaseSync, type StatementSync } from 'node:sqlite';
import { CLEAR_QUEUE_SQL, SEED_USERS_SQL } from './workerd/seed-sql';

const MIGRATIONS_DIR = resolve(import.meta.dirname, '..', 'migrations');
const CHILD_FLAG = '--child';

export type JournalMode = 'delete' | 'wal';
export type SqlQuery = { sql: string; params: unknown[] };
type Request =
  | { op: 'open'; file: string; journal: JournalMode; readers: number }
  | { op: 'queries'; queries: SqlQuery[] }
  | { op: 'run'; steps: number }
  | { op: 'count' }
  | { op: 'cpu' };
type Reply = { id: number; ok: true; value: number } | { id: number; ok: false; error: string };

// --- child ---------------------------------------------------------------------------------

function serve(): void {
  let raw: DatabaseSync | undefined;
  let lastRunCpuMs = 0;
  let steps: { statement: StatementSync; params: (string | number | null)[] }[] = [];
  const db = () =>
    raw ??
    (() => {
      throw new Error('no database open');
    })();
  const handle = (req: Request): number => {
    switch (req.op) {
      case 'open': {
        raw?.close();
        raw = new DatabaseSync(req.file);
        raw.exec('PRAGMA foreign_keys = ON'); // as D1 does: the FK checks are part of the work
        raw.exec(`PRAGMA journal_mode = ${req.journal}`);
        for (const file of readdirSync(MIGRATIONS_DIR)
          .filter((f) => f.endsWith('.sql'))
          .sort()) {
          raw.exec(readFileSync(join(MIGRATIONS_DIR, file), 'utf8'));
        }
        raw.prepare(SEED_USERS_SQL).run(req.readers);
        return req.readers;
      }
      case 'queries':
        steps = req.queries.map((q) => ({ statement: db().prepare(q.sql), params: q.params as (string | number | null)[] }));
        return steps.length;
      case 'run': {
        const started = performance.now();
        const cpuBefore = process.cpuUsage();
        db().exec('BEGIN');
        for (const step of steps.slice(0, req.steps)) step.statement.run(...step.params);
        db().exec('COMMIT');
        const ms = performance.now() - started;
        const cpu = process.cpuUsage(cpuBefore);
        lastRunCpuMs = (cpu.user + cpu.system) / 1000;
        db().exec(CLEAR_QUEUE_SQL.join(';'));
        return ms;
      }
      case 'cpu':
        return lastRunCpuMs;
      case 'count': {
        db().exec('BEGIN');
        steps[0]!.statement.run(...steps[0]!.params);
        const { n } = db().prepare('SELECT count(*) AS n FROM email_notifications').get() as { n: number };
        db().exec('ROLLBACK');
        return n;
      }
    }
  };
  process.on('message', (message: { id: number; req: Request }) => {
    let reply: Reply;
    try {
      reply = { id: message.id, ok: true, value: handle(message.req) };
    } catch (error) {
      reply = { id: message.id, ok: false, error: error instanceof Error ? error.message : String(error) };
    }
    process.send!(reply);
  });
  process.on('disconnect', () => {
    raw?.close();
    process.exit(0);
  });
}

if (process.argv.includes(CHILD_FLAG) && process.send) serve();

// --- parent --------------------------------------------------------------------------------

export type RawSqlite = {
  open(file: string, journal: JournalMode, readers: number): Promise<number>;
  setQueries(queries: SqlQuery[]): Promise<number>;
  /** ms of one transaction running the first `steps` queries (then the queue is cleared). */
  run(steps: number): Promise<number>;
  /** Rows the first query creates (in a rolled-back transaction). */
  count(): Promise<number>;
  /** CPU ms (user + system) of the last run's transaction. */
  cpuMs(): Promise<number>;
  close(): Promise<void>;
};

export function startRawSqlite(): RawSqlite {
  const child: ChildProcess = fork(import.meta.filename, [CHILD_FLAG], { execArgv: ['--import', 'tsx'], stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  const pending = new Map<number, { resolve: (v: number) => void; reject: (e: Error) => void }>();
  let nextId = 0;
  child.on('message', (reply: Reply) => {
    const waiter = pending.get(reply.id);
    pending.delete(reply.id);
    if (reply.ok) waiter?.resolve(reply.value);
    else waiter?.reject(new Error(`raw sqlite: ${reply.error}`));
  });
  child.on('exit', (code) => {
    for (const waiter of pending.values()) waiter.reject(new Error(`raw sqlite child exited (${code})`));
    pending.clear();
  });
  const ask = (req: Request) =>
    new Promise<number>((resolvePromise, reject) => {
      const id = nextId++;
      pending.set(id, { resolve: resolvePromise, reject });
      child.send({ id, req });
    });
  return {
    open: (file, journal, readers) => ask({ op: 'open', file, journal, readers }),
    setQueries: (queries) => ask({ op: 'queries', queries }),
    run: (steps) => ask({ op: 'run', steps }),
    count: () => ask({ op: 'count' }),
    cpuMs: () => ask({ op: 'cpu' }),
    close: () =>
      new Promise<void>((resolveClose) => {
        if (child.exitCode !== null) return resolveClose();
        child.once('exit', () => resolveClose());
        child.disconnect();
      }),
  };
}
