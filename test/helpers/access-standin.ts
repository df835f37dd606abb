/**
 * A stand-in for Cloudflare Access's key endpoint on 127.0.0.1: GET /cdn-cgi/access/certs
 * answers `{ keys: [...] }` (RS256 public JWKs with `kid`), as Access does. It signs test
 * tokens with its private keys and counts key fetches (to observe caching).
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { exportJWK, generateKeyPair, SignJWT, type CryptoKey, type JWTPayload } from 'jose';

export const TEAM_ISSUER = 'https://plainwords.cloudflareaccess.com';
export const ACCESS_TAG = 'a1b2c3d4e5f60718293a4b5c6d7e8f90a1b2c3d4e5f60718293a4b5c6d7e8f90';

type KeyPair = { kid: string; privateKey: CryptoKey; publicKey: CryptoKey };

export type AccessStandin = {
  jwksUrl: string;
  fetches: () => number;
  /** A token signed with the served key `kid` (default the first), or an outside key. */
  sign: (claims: JWTPayload, opts?: { key?: 'served' | 'stranger'; kid?: string; expiresIn?: string | number; alg?: string }) => Promise<string>;
  close: () => Promise<void>;
};

async function keyPair(kid: string): Promise<KeyPair> {
  const { privateKey, publicKey } = await generateKeyPair('RS256', { extractable: true });
  return { kid, privateKey, publicKey };
}

export async function startAccessStandin(): Promise<AccessStandin> {
  const served = await keyPair('served-key-1');
  const stranger = await keyPair('served-key-1'); // same kid, different key: a forged token
  const jwk = { ...(await exportJWK(served.publicKey)), kid: served.kid, alg: 'RS256', use: 'sig' };
  let fetches = 0;
  const server = createServer((req, res) => {
    if (req.method === 'GET' && req.url === '/cdn-cgi/access/certs') {
      fetches += 1;
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ keys: [jwk], public_cert: { kid: served.kid, cert: '' }, public_certs: [] }));
      return;
    }
    res.writeHead(404).end();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    jwksUrl: `http://127.0.0.1:${port}/cdn-cgi/access/certs`,
    fetches: () => fetches,
    sign: async (claims, opts = {}) => {
      const pair = opts.key === 'stranger' ? stranger : served;
      const jwt = new SignJWT({ iss: TEAM_ISSUER, aud: [ACCESS_TAG], email: 'author@example.com', ...claims })
        .setProtectedHeader({ alg: opts.alg ?? 'RS256', kid: opts.kid ?? pair.kid, typ: 'JWT' })
        .setIssuedAt()
        .setExpirationTime(opts.expiresIn ?? '10m');
      return jwt.sign(pair.privateKey);
    },
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}
