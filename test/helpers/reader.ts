/** Requests and deps for calling the reader handlers directly against a real local D1. */
import type { AccountEmailKind } from '../../integration/delivery/verification';
import type { Db } from '../../db/client';
import type { ReaderDeps } from '../../integration/server/reader/deps';

export const SITE = 'https://blog.example';

export type SentVerification = { userId: string; email: string; verifyUrl: string; kind?: AccountEmailKind; summary?: string };

export function fakeDeps(overrides: Partial<ReaderDeps> = {}): ReaderDeps & { sent: SentVerification[] } {
  const sent: SentVerification[] = [];
  return {
    siteUrl: SITE,
    sendVerification: async (_db: Db, params) => {
      sent.push(params);
    },
    ...overrides,
    sent,
  };
}

type Fields = Record<string, string | string[]>;

export function formRequest(path: string, fields: Fields, headers: Record<string, string> = {}): Request {
  const body = new URLSearchParams();
  for (const [name, value] of Object.entries(fields)) for (const v of [value].flat()) body.append(name, v);
  return new Request(`${SITE}${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded', origin: SITE, 'cf-connecting-ip': '203.0.113.7', 'user-agent': 'vitest', ...headers },
    body,
  });
}

export function jsonRequest(path: string, body: unknown, init: { method?: string; headers?: Record<string, string> } = {}): Request {
  return new Request(`${SITE}${path}`, {
    method: init.method ?? 'POST',
    headers: { 'content-type': 'application/json', 'cf-connecting-ip': '203.0.113.8', ...init.headers },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });
}

export const tokenOf = (url: string): string => new URL(url).searchParams.get('token')!;
