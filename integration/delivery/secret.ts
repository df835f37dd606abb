/**
 * Bearer-token check in constant time: both sides are hashed (SHA-256) first, so the
 * comparison always runs over 32 bytes and leaks neither the secret's content nor its length.
 */
const encoder = new TextEncoder();

async function digest(value: string): Promise<Uint8Array> {
  return new Uint8Array(await crypto.subtle.digest('SHA-256', encoder.encode(value)));
}

export function constantTimeEqual(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  let diff = 0;
  for (let i = 0; i < a.length; i++) diff |= a[i]! ^ b[i]!;
  return diff === 0;
}

/** True when `header` is `Bearer <secret>` (scheme case-insensitive). */
export async function bearerMatches(header: string | null, secret: string): Promise<boolean> {
  if (!secret) return false;
  const match = /^Bearer\s+(\S+)\s*$/i.exec(header ?? '');
  const given = match?.[1] ?? '';
  const [x, y] = await Promise.all([digest(given), digest(secret)]);
  return constantTimeEqual(x, y) && given.length > 0;
}
