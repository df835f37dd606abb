/**
 * Cloudflare Access in front of /admin: Access signs a JWT (RS256) into the
 * `Cf-Access-Jwt-Assertion` header of every request it lets through. We verify it with
 * `jose` (Web Crypto, runs in workerd): signature against the team's JWKS (looked up by
 * `kid`, cached per isolate), `aud` = the application's tag, `iss` = the team domain, and
 * `exp`/`nbf` with a small clock tolerance.
 */
import { createRemoteJWKSet, errors, jwtVerify, type JWTPayload } from 'jose';

export const ACCESS_JWT_HEADER = 'cf-access-jwt-assertion';
/** Keys are re-fetched after this long, or at once (rate-limited) when an unknown `kid` appears. */
export const JWKS_CACHE_MAX_AGE_MS = 10 * 60_000;
const JWKS_COOLDOWN_MS = 30_000;
const JWKS_TIMEOUT_MS = 5_000;
const CLOCK_TOLERANCE_SECONDS = 30;
const MAX_TOKEN_LENGTH = 8 * 1024; // Access tokens are ~1 KB; refuse absurd headers before parsing

export type AccessConfig = {
  /** `https://<team>.cloudflareaccess.com`: the token's `iss`. */
  issuer: string;
  /** The Access application's audience tag. */
  audience: string;
  /** Default `<issuer>/cdn-cgi/access/certs`; the tests point it at a stand-in on 127.0.0.1. */
  jwksUrl: string;
};

/** `myteam`, `myteam.cloudflareaccess.com` or `https://myteam.cloudflareaccess.com` → the issuer URL. */
export function accessIssuer(teamDomain: string): string {
  const host = teamDomain
    .trim()
    .replace(/^https?:\/\//, '')
    .replace(/\/+$/, '');
  if (!/^[a-z0-9.-]+$/i.test(host)) throw new Error(`ACCESS_TEAM_DOMAIN is not a host name: ${JSON.stringify(teamDomain)}`);
  return `https://${host.includes('.') ? host : `${host}.cloudflareaccess.com`}`;
}

/** Access settings, or null when Access is not configured (then only admin accounts and the dev bypass get in). */
export function accessConfigFrom(settings: Record<string, string | undefined>): AccessConfig | null {
  const team = settings.ACCESS_TEAM_DOMAIN;
  const audience = settings.ACCESS_AUD;
  if (!team || !audience) return null;
  const issuer = accessIssuer(team);
  return { issuer, audience, jwksUrl: settings.ACCESS_JWKS_URL || `${issuer}/cdn-cgi/access/certs` };
}

const keySets = new Map<string, ReturnType<typeof createRemoteJWKSet>>();

/** One remote key set per JWKS URL per isolate: jose caches the keys and refreshes on an unknown kid. */
function keySet(url: string) {
  let set = keySets.get(url);
  if (!set) {
    set = createRemoteJWKSet(new URL(url), {
      cacheMaxAge: JWKS_CACHE_MAX_AGE_MS,
      cooldownDuration: JWKS_COOLDOWN_MS,
      timeoutDuration: JWKS_TIMEOUT_MS,
    });
    keySets.set(url, set);
  }
  return set;
}

export type AccessResult = { ok: true; identity: string; payload: JWTPayload } | { ok: false; reason: string };

/** Why a token was refused, in words safe to show and log (never the token). */
function reasonOf(error: unknown): string {
  if (error instanceof errors.JWTExpired) return 'the Access token has expired';
  if (error instanceof errors.JWTClaimValidationFailed) return `the Access token's ${error.claim} claim is not accepted`;
  if (error instanceof errors.JWSSignatureVerificationFailed) return 'the Access token signature does not verify';
  if (error instanceof errors.JWKSNoMatchingKey) return 'the Access token was signed by an unknown key';
  if (error instanceof errors.JOSEAlgNotAllowed) return 'the Access token uses a refused algorithm';
  if (error instanceof errors.JWKSTimeout || error instanceof errors.JWKSInvalid) return 'the Access keys could not be fetched';
  return 'the Access token is malformed';
}

export async function verifyAccessJwt(token: string | null, config: AccessConfig): Promise<AccessResult> {
  if (!token) return { ok: false, reason: 'no Cf-Access-Jwt-Assertion header' };
  if (token.length > MAX_TOKEN_LENGTH) return { ok: false, reason: 'the Access token is too long' };
  try {
    const { payload } = await jwtVerify(token, keySet(config.jwksUrl), {
      algorithms: ['RS256'],
      audience: config.audience,
      issuer: config.issuer,
      requiredClaims: ['exp', 'iat'],
      clockTolerance: CLOCK_TOLERANCE_SECONDS,
    });
    // People carry `email`; service tokens carry `common_name` (their client id).
    const who = typeof payload.email === 'string' ? payload.email : typeof payload.common_name === 'string' ? payload.common_name : payload.sub;
    if (!who) return { ok: false, reason: 'the Access token names nobody' };
    return { ok: true, identity: who, payload };
  } catch (error) {
    return { ok: false, reason: reasonOf(error) };
  }
}
