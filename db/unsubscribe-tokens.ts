import { and, eq, gt, isNull } from 'drizzle-orm';
import type { Db } from './client';
import { newId, randomToken, sha256Hex } from './crypto';
import { chunkForParams, changedRows } from './params';
import { CONTENT_TYPES, TOKEN_TYPES, unsubscribeTokens, type ContentType, type TokenType, type UnsubscribeToken } from './schema';
import { DAY } from './time';

/** CAN-SPAM wants an unsubscribe link to keep working at least 30 days after sending; we give 60. */
export const UNSUBSCRIBE_TOKEN_TTL_SECONDS = 60 * DAY;

export type CreateUnsubscribeTokenParams = {
  userId: string;
  tokenType: TokenType;
  /** For a content email's one-click link: the type it unsubscribes from; null means everything. */
  contentType?: ContentType | null;
  ttlSeconds?: number;
  now?: Date;
};

export type IssuedUnsubscribeToken = { token: string; id: string; expiresAt: Date };

const TOKEN_COLUMNS = 7; // id, user_id, token, token_type, content_type, created_at, expires_at

async function prepareToken(params: CreateUnsubscribeTokenParams, defaultNow: Date) {
  if (!TOKEN_TYPES.includes(params.tokenType)) throw new Error(`Invalid unsubscribe token type: "${params.tokenType}"`);
  if (params.contentType != null && !CONTENT_TYPES.includes(params.contentType)) {
    throw new Error(`Invalid content type: "${params.contentType}"`);
  }
  const ttlSeconds = params.ttlSeconds ?? UNSUBSCRIBE_TOKEN_TTL_SECONDS;
  if (!Number.isFinite(ttlSeconds) || ttlSeconds <= 0) throw new Error(`ttlSeconds must be positive, got ${ttlSeconds}`);
  const now = params.now ?? defaultNow;
  const token = randomToken();
  const expiresAt = new Date(now.getTime() + ttlSeconds * 1000);
  const row = {
    id: newId(),
    userId: params.userId,
    token: await sha256Hex(token), // only the hash is stored; the raw token goes in the link
    tokenType: params.tokenType,
    contentType: params.contentType ?? null,
    createdAt: now,
    expiresAt,
  };
  return { issued: { token, id: row.id, expiresAt }, row };
}

export async function createUnsubscribeToken(db: Db, params: CreateUnsubscribeTokenParams): Promise<IssuedUnsubscribeToken> {
  const { issued, row } = await prepareToken(params, new Date());
  await db.insert(unsubscribeTokens).values(row);
  return issued;
}

/**
 * Tokens for a whole batch of emails at once: multi-row INSERTs (each under D1's
 * 100-parameter limit) in one batch. Returns the raw tokens in the order of `rows`.
 */
export async function createUnsubscribeTokens(
  db: Db,
  rows: readonly CreateUnsubscribeTokenParams[],
): Promise<IssuedUnsubscribeToken[]> {
  const now = new Date();
  const prepared = await Promise.all(rows.map((r) => prepareToken(r, now)));
  const [first, ...rest] = chunkForParams(
    prepared.map((p) => p.row),
    TOKEN_COLUMNS,
  ).map((chunk) => db.insert(unsubscribeTokens).values(chunk));
  if (first) await db.batch([first, ...rest]);
  return prepared.map((p) => p.issued);
}

/** The token's row whatever its state (so a page can say "already used" or "expired"), or null. */
export async function findUnsubscribeToken(db: Db, rawToken: string): Promise<UnsubscribeToken | null> {
  if (!rawToken) return null;
  const row = await db.query.unsubscribeTokens.findFirst({ where: eq(unsubscribeTokens.token, await sha256Hex(rawToken)) });
  return row ?? null;
}

/** The token's row if it exists, has not expired and has not been used; otherwise null. */
export async function validateUnsubscribeToken(db: Db, rawToken: string, now: Date = new Date()): Promise<UnsubscribeToken | null> {
  if (!rawToken) return null;
  const row = await db.query.unsubscribeTokens.findFirst({
    where: and(
      eq(unsubscribeTokens.token, await sha256Hex(rawToken)),
      gt(unsubscribeTokens.expiresAt, now),
      isNull(unsubscribeTokens.usedAt),
    ),
  });
  return row ?? null;
}

/**
 * Spends a token, atomically: one conditional UPDATE that only matches an unused,
 * unexpired token, so of two concurrent callers exactly one changes the row and gets true.
 */
export async function useUnsubscribeToken(
  db: Db,
  tokenId: string,
  { ipAddress, userAgent, now = new Date() }: { ipAddress?: string | null; userAgent?: string | null; now?: Date } = {},
): Promise<boolean> {
  const result = await db
    .update(unsubscribeTokens)
    .set({ usedAt: now, ipAddress: ipAddress ?? null, userAgent: userAgent ?? null })
    .where(and(eq(unsubscribeTokens.id, tokenId), isNull(unsubscribeTokens.usedAt), gt(unsubscribeTokens.expiresAt, now)));
  return changedRows(result) === 1;
}
