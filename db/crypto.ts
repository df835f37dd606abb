import { nanoid } from 'nanoid';
import { normalizeEmail } from './readers/email-address';

export const newId = (): string => nanoid();

const TOKEN_BYTES = 32; // 256 bits; at least 128 are needed (ARCHITECTURE.md, "Tokens")

/** A random token for links and cookies (base64url, no padding). Store only `sha256Hex(token)`. */
export function randomToken(bytes = TOKEN_BYTES): string {
  const buf = crypto.getRandomValues(new Uint8Array(bytes));
  return btoa(String.fromCharCode(...buf))
    .replace(/\+/g, '-')
    .replace(/\//g, '_')
    .replace(/=+$/, '');
}

export async function sha256Hex(input: string): Promise<string> {
  const digest = await crypto.subtle.digest('SHA-256', new TextEncoder().encode(input));
  return [...new Uint8Array(digest)].map((b) => b.toString(16).padStart(2, '0')).join('');
}

/** The hash of an address stored in `suppressions.address_hash` and `users.email_hash` (db/feedback/suppressions.ts). */
export const addressHash = (email: string): Promise<string> => sha256Hex(normalizeEmail(email).normalize('NFC'));

/** Compares every byte whatever the first difference, so the time says nothing about where it is. */
export function constantTimeEqual(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  let diff = 0;
  for (let i = 0; i < a.length; i++) diff |= a[i]! ^ b[i]!;
  return diff === 0;
}

const sha256Bytes = async (value: string) => new Uint8Array(await crypto.subtle.digest('SHA-256', new TextEncoder().encode(value)));

/**
 * Equality of two secrets in constant time: both sides are hashed (SHA-256) first, so the
 * comparison always runs over 32 bytes and leaks neither content nor length. An empty
 * expected secret matches nothing.
 */
export async function secretsEqual(given: string, expected: string): Promise<boolean> {
  const [a, b] = await Promise.all([sha256Bytes(given), sha256Bytes(expected)]);
  return constantTimeEqual(a, b) && expected.length > 0;
}
