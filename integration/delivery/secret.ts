/** Bearer-token check in constant time (db/crypto.ts's secretsEqual: hashed first, so no length leaks). */
import { secretsEqual } from '../../db/crypto';

/** True when `header` is `Bearer <secret>` (scheme case-insensitive). */
export async function bearerMatches(header: string | null, secret: string): Promise<boolean> {
  if (!secret) return false;
  const match = /^Bearer\s+(\S+)\s*$/i.exec(header ?? '');
  const given = match?.[1] ?? '';
  return secretsEqual(given, secret);
}
