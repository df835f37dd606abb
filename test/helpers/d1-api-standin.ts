/**
 * A stand-in for Cloudflare's D1 HTTP API on 127.0.0.1, over a real SQLite database
 * (node:sqlite) with every migration applied.
 *
 * POST /client/v4/accounts/{account}/d1/database/{id}/query
 *   body { sql, params } or { batch: [{ sql, params }, …] }; bearer token checked;
 *   answers the real envelope { success, errors, messages, result: [{ results, success, meta }] }.
 * A request runs as one transaction: any failing statement rolls all of it back (400).
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { DatabaseSync, type SQLInputValue } from 'node:sqlite';
import { MIGRATIONS_DIR, migrationFiles, splitSql } from './d1';

export type D1ApiStandIn = {
  /** The API base, e.g. http://127.0.0.1:1234/client/v4 */
  apiBase: string;
  accountId: string;
  databaseId: string;
  token: string;
  sqlite: DatabaseSync;
  /** Every request the stand-in received (path, status, statement count). */
  requests: { path: string; status: number; statements: number }[];
  /** Answer the next `count` requests with `status` before touching the database. */
  failNext(status: number, count?: number): void;
  close(): Promise<void>;
};

type Query = { sql: string; params?: SQLInputValue[] };

const envelope = (result: unknown, errors: { code: number; message: string }[] = []) =>
  JSON.stringify({ result, success: errors.length === 0, errors, messages: [] });

/** Split a `;`-joined sql string the way D1 does for a single query object. */
function statementsOf(q: Query): Query[] {
  const parts = splitSql(q.sql);
  if (parts.length <= 1) return [{ sql: q.sql, params: q.params }];
  if (q.params?.length) throw new Error('params are only supported with a single statement');
  return parts.map((sql) => ({ sql }));
}

function run(db: DatabaseSync, queries: Query[]) {
  db.exec('BEGIN');
  try {
    const result = queries.map((q) => {
      const started = performance.now();
      const stmt = db.prepare(q.sql);
      const params = q.params ?? [];
      const reader = /^\s*(select|with|pragma)\b/i.test(q.sql) || /\breturning\b/i.test(q.sql);
      const results = reader ? stmt.all(...params) : [];
      const info = reader ? { changes: 0, lastInsertRowid: 0 } : stmt.run(...params);
      return {
        results,
        success: true,
        meta: {
          changed_db: Number(info.changes) > 0,
          changes: Number(info.changes),
          duration: performance.now() - started,
          last_row_id: Number(info.lastInsertRowid),
          rows_read: results.length,
          rows_written: Number(info.changes),
          size_after: 0,
        },
      };
    });
    db.exec('COMMIT');
    return result;
  } catch (err) {
    db.exec('ROLLBACK');
    throw err;
  }
}

export async function startD1ApiStandIn(options: { token?: string; accountId?: string; databaseId?: string; migrate?: boolean } = {}): Promise<D1ApiStandIn> {
  const token = options.token ?? 'test-token';
  const accountId = options.accountId ?? '0123456789abcdef0123456789abcdef';
  const databaseId = options.databaseId ?? '22222222-2222-2222-2222-222222222222';
  const sqlite = new DatabaseSync(':memory:');
  if (options.migrate !== false) {
    for (const file of migrationFiles()) {
      for (const sql of splitSql(readFileSync(join(MIGRATIONS_DIR, file), 'utf8'))) sqlite.exec(sql);
    }
  }
  const requests: D1ApiStandIn['requests'] = [];
  let failures: { status: number; count: number } | undefined;
  const path = `/client/v4/accounts/${accountId}/d1/database/${databaseId}/query`;

  const server: Server = createServer(async (req, res) => {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const reply = (status: number, body: string, statements = 0) => {
      requests.push({ path: req.url ?? '', status, statements });
      res.writeHead(status, { 'content-type': 'application/json' }).end(body);
    };
    if (failures && failures.count > 0) {
      failures.count--;
      return reply(failures.status, envelope(null, [{ code: 7500, message: `stand-in failure ${failures.status}` }]));
    }
    if (req.headers.authorization !== `Bearer ${token}`) {
      return reply(401, envelope(null, [{ code: 10000, message: 'Authentication error' }]));
    }
    if (req.method !== 'POST' || req.url !== path) {
      return reply(404, envelope(null, [{ code: 7404, message: `Could not route to ${req.url}` }]));
    }
    let queries: Query[];
    try {
      const body = JSON.parse(Buffer.concat(chunks).toString('utf8'));
      queries = (Array.isArray(body.batch) ? body.batch : [body]).flatMap(statementsOf);
    } catch (err) {
      return reply(400, envelope(null, [{ code: 7400, message: `Bad request: ${(err as Error).message}` }]));
    }
    try {
      reply(200, envelope(run(sqlite, queries)), queries.length);
    } catch (err) {
      reply(400, envelope(null, [{ code: 7500, message: `${(err as Error).message}: SQLITE_ERROR` }]), queries.length);
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    apiBase: `http://127.0.0.1:${port}/client/v4`,
    accountId,
    databaseId,
    token,
    sqlite,
    requests,
    failNext(status, count = 1) {
      failures = { status, count };
    },
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.close((err) => {
          sqlite.close();
          if (err) reject(err);
          else resolve();
        });
      }),
  };
}
