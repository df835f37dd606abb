/**
 * A D1 binding that counts what one invocation asks of D1: round trips (every batch(),
 * exec() and statement run/all/first/raw is one) and statements (each statement of a batch
 * counts, as D1's 1,000-queries-per-invocation limit does). Runs inside workerd.
 */
export type D1Counter = {
  roundTrips: number;
  statements: number;
  lastBatchRowsRead: number;
  /** D1's own `meta.rows_read` / `rows_written` (indexes included), summed over every answer that carries meta. */
  rowsRead: number;
  rowsWritten: number;
  /** Statements answered without meta (`first()`, `raw()`: drizzle's selects): their reads are not in rowsRead. */
  withoutMeta: number;
};

type Meta = { rows_read?: number; rows_written?: number };

export function countingD1(d1: D1Database): { binding: D1Database; counter: D1Counter } {
  const counter: D1Counter = { roundTrips: 0, statements: 0, lastBatchRowsRead: 0, rowsRead: 0, rowsWritten: 0, withoutMeta: 0 };
  const add = (meta: Meta | undefined) => {
    counter.rowsRead += meta?.rows_read ?? 0;
    counter.rowsWritten += meta?.rows_written ?? 0;
  };
  const unwrapped = new WeakMap<object, D1PreparedStatement>();
  const wrap = (stmt: D1PreparedStatement): D1PreparedStatement => {
    const proxy = new Proxy(stmt, {
      get(target, prop) {
        if (prop === 'bind') return (...args: unknown[]) => wrap(target.bind(...args));
        if (prop === 'run' || prop === 'all' || prop === 'first' || prop === 'raw') {
          return (...args: unknown[]) => {
            counter.roundTrips += 1;
            counter.statements += 1;
            const answer = (target[prop] as (...a: unknown[]) => Promise<unknown>).apply(target, args);
            if (prop === 'run' || prop === 'all') return answer.then((r) => (add((r as { meta?: Meta }).meta), r));
            counter.withoutMeta += 1;
            return answer;
          };
        }
        const value = Reflect.get(target, prop, target);
        return typeof value === 'function' ? value.bind(target) : value;
      },
    });
    unwrapped.set(proxy, stmt);
    return proxy;
  };
  const binding = {
    prepare: (sql: string) => wrap(d1.prepare(sql)),
    batch: async (stmts: D1PreparedStatement[]) => {
      counter.roundTrips += 1;
      counter.statements += stmts.length;
      const results = await d1.batch(stmts.map((s) => unwrapped.get(s) ?? s));
      counter.lastBatchRowsRead = results.reduce((sum, r) => sum + (r.meta?.rows_read ?? 0), 0);
      for (const r of results) add(r.meta);
      return results;
    },
    exec: (sql: string) => {
      counter.roundTrips += 1;
      counter.statements += 1;
      return d1.exec(sql);
    },
    dump: () => (d1 as unknown as { dump(): Promise<ArrayBuffer> }).dump(),
    withSession: (...args: unknown[]) => (d1 as unknown as { withSession(...a: unknown[]): unknown }).withSession(...args),
  } as unknown as D1Database;
  return { binding, counter };
}
