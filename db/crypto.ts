import { nanoid } from 'nanoid';

export const newId = (): string => nanoid();

const TOKEN_BYTES = 32; // 256 bits; at least 128 are needed (ARCHITECTURE.md, "Tokens")

/** A random token for links and cookies (base64url, no padding). Store only `sha256Hex(token)`. */
export function randomToken(bytes = TOKEN_BYTES): string {
  const buf = crypto.getRandomValues(new Uint8Array(bytes));
  return btoa(String.fromCharCode(...buf)).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}

export async function sha256Hex(input: string): Promise<string> {
  const digest = await crypto.subtle.digest('SHA-256', new TextEncoder().encode(input));
  return [...new Uint8Array(digest)].map((b) => b.toString(16).padStart(2, '0')).join('');
}
