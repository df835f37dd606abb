/**
 * Password hashing with PBKDF2-SHA256 through Web Crypto (no native addon, runs in workerd).
 *
 * Stored format: `pbkdf2-sha256$<iterations>$<salt base64>$<hash base64>`, so the cost
 * can be raised later without breaking stored hashes.
 */
import { constantTimeEqual } from '../../../db/crypto';

/** workerd refuses more than 100,000 PBKDF2 iterations in production (Cloudflare's limit); locally it does not. */
export const PBKDF2_MAX_ITERATIONS = 100_000;
export const PBKDF2_ITERATIONS = 100_000;
const SALT_BYTES = 16; // 128-bit random salt
const HASH_BITS = 256;
const SCHEME = 'pbkdf2-sha256';

const encoder = new TextEncoder();

const toBase64 = (bytes: Uint8Array): string => btoa(String.fromCharCode(...bytes));
function fromBase64(text: string): Uint8Array | null {
  try {
    return Uint8Array.from(atob(text), (c) => c.charCodeAt(0));
  } catch {
    return null;
  }
}

async function derive(password: string, salt: Uint8Array, iterations: number): Promise<Uint8Array> {
  if (iterations > PBKDF2_MAX_ITERATIONS) throw new Error(`PBKDF2 iterations above the workerd cap (${PBKDF2_MAX_ITERATIONS})`);
  const key = await crypto.subtle.importKey('raw', encoder.encode(password), 'PBKDF2', false, ['deriveBits']);
  const bits = await crypto.subtle.deriveBits({ name: 'PBKDF2', hash: 'SHA-256', salt: salt as BufferSource, iterations }, key, HASH_BITS);
  return new Uint8Array(bits);
}

export async function hashPassword(password: string, iterations = PBKDF2_ITERATIONS): Promise<string> {
  const salt = crypto.getRandomValues(new Uint8Array(SALT_BYTES));
  const hash = await derive(password, salt, iterations);
  return `${SCHEME}$${iterations}$${toBase64(salt)}$${toBase64(hash)}`;
}

type ParsedPasswordHash = { iterations: number; salt: Uint8Array; hash: Uint8Array };

export function parsePasswordHash(stored: string): ParsedPasswordHash | null {
  const [scheme, iterationsText, saltText, hashText, ...rest] = stored.split('$');
  if (scheme !== SCHEME || rest.length > 0 || !iterationsText || !saltText || !hashText) return null;
  const iterations = Number(iterationsText);
  if (!Number.isInteger(iterations) || iterations < 1 || iterations > PBKDF2_MAX_ITERATIONS) return null;
  const salt = fromBase64(saltText);
  const hash = fromBase64(hashText);
  if (!salt || !hash || hash.length !== HASH_BITS / 8) return null;
  return { iterations, salt, hash };
}

export async function verifyPassword(password: string, stored: string): Promise<boolean> {
  const parsed = parsePasswordHash(stored);
  if (!parsed) return false;
  const candidate = await derive(password, parsed.salt, parsed.iterations);
  return constantTimeEqual(candidate, parsed.hash);
}

let dummyHash: string | undefined;
/**
 * A well-formed stored hash that no password matches (its hash bytes are random, never
 * derived). Made on first use: workerd forbids random values in global scope.
 */
function getDummyHash(): string {
  dummyHash ??= `${SCHEME}$${PBKDF2_ITERATIONS}$${toBase64(crypto.getRandomValues(new Uint8Array(SALT_BYTES)))}$${toBase64(
    crypto.getRandomValues(new Uint8Array(HASH_BITS / 8)),
  )}`;
  return dummyHash;
}

/**
 * Spends exactly the work of a real check (one PBKDF2 at the current cost) and returns false:
 * used at login for unknown emails and accounts without a password, so the answer time does
 * not tell them apart from a wrong password.
 */
export async function verifyDummyPassword(password: string): Promise<false> {
  await verifyPassword(password, getDummyHash());
  return false;
}
