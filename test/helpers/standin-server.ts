/** What the provider stand-ins share: a 127.0.0.1 HTTP server, body reading and JSON answers. */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export const readBody = (req: IncomingMessage): Promise<string> =>
  new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });

export function json(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  if (res.destroyed) return;
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', ...headers });
  res.end(JSON.stringify(body));
}

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export type Handler = (req: IncomingMessage, res: ServerResponse, body: string) => Promise<void> | void;

/** Starts a server on an ephemeral 127.0.0.1 port; a handler that throws answers 500 (and the test sees it). */
export async function startServer(handler: Handler): Promise<{ url: string; close: () => Promise<void> }> {
  const server = createServer((req, res) => {
    readBody(req)
      .then((body) => handler(req, res, body))
      .catch((error: unknown) => json(res, 500, { message: `stand-in crashed: ${(error as Error).message}` }));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/**
 * fetch as the Workers runtime does it: only the headers the caller set. Node's fetch adds
 * `User-Agent: node` on its own, which would hide a request that workerd sends without one;
 * here a missing User-Agent goes out empty, and a stand-in treats empty as missing.
 */
export const workerdLikeFetch = (input: string | Request, init: RequestInit = {}): Promise<Response> => {
  const headers = new Headers(init.headers);
  if (!headers.has('user-agent')) headers.set('user-agent', '');
  return fetch(input, { ...init, headers });
};
