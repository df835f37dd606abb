import { and, eq, gt, isNull } from 'drizzle-orm';
import { d1Of, type Db } from '../client';
import { newId, randomToken, sha256Hex } from '../crypto';
import { changedRows } from '../params';
import { CONTENT_TYPES, TOKEN_TYPES, unsubscribeTokens, type ContentType, type TokenType, type UnsubscribeToken } from '../schema';
import { DAY, toUnixSeconds } from '../time';

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

/** Rows per INSERT: one JSON parameter of ~200 bytes a row stays far below D1's statement limits. */
export const TOKENS_PER_STATEMENT = 250;
const INSERT_TOKENS = `INSERT INTO unsubscribe_tokens (id, user_id, token, token_type, content_type, created_at, expires_at)
  SELECT t.value->>'id', t.value->>'userId', t.value->>'token', t.value->>'tokenType', t.value->>'contentType',
         t.value->>'createdAt', t.value->>'expiresAt'
  FROM json_each(?1) AS t`;

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
 * Tokens for a whole batch of emails at once: the rows travel as one JSON parameter per
 * INSERT … SELECT FROM json_each (one statement per 250 tokens, so one for a usual batch),
 * all in one D1 batch. Returns the raw tokens in the order of `rows`.
 */
export async function createUnsubscribeTokens(db: Db, rows: readonly CreateUnsubscribeTokenParams[]): Promise<IssuedUnsubscribeToken[]> {
  const now = new Date();
  const prepared = await Promise.all(rows.map((r) => prepareToken(r, now)));
  if (prepared.length === 0) return [];
  const d1 = d1Of(db);
  const statements: D1PreparedStatement[] = [];
  for (let i = 0; i < prepared.length; i += TOKENS_PER_STATEMENT) {
    const chunk = prepared.slice(i, i + TOKENS_PER_STATEMENT).map(({ row }) => ({
      ...row,
      createdAt: toUnixSeconds(row.createdAt),
      expiresAt: toUnixSeconds(row.expiresAt),
    }));
    statements.push(d1.prepare(INSERT_TOKENS).bind(JSON.stringify(chunk)));
  }
  await d1.batch(statements);
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
    where: and(eq(unsubscribeTokens.token, await sha256Hex(rawToken)), gt(unsubscribeTokens.expiresAt, now), isNull(unsubscribeTokens.usedAt)),
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
