/**
 * Google OAuth 2.0 for an installed app (RFC 6749 + PKCE, RFC 7636): the consent
 * URL and the code exchange (used once, by `npx astro-d1-notify gmail:auth`) and the
 * refresh_token grant (used by the Gmail transport before it sends).
 * Only fetch and Web Crypto: runs in workerd and Node alike.
 */

export const GOOGLE_AUTH_URL = 'https://accounts.google.com/o/oauth2/v2/auth';
export const GOOGLE_TOKEN_URL = 'https://oauth2.googleapis.com/token';
/** Send-only: the app can never read the mailbox. */
export const GMAIL_SEND_SCOPE = 'https://www.googleapis.com/auth/gmail.send';

type TokenResponse = {
  access_token: string;
  /** Lifetime in seconds (Google: 3599). */
  expires_in: number;
  token_type: string;
  scope?: string;
  /** Only on the authorization_code grant with access_type=offline. */
  refresh_token?: string;
};

/** A token endpoint failure, classified for the transport. Never carries a secret. */
export class OAuthError extends Error {
  constructor(
    message: string,
    /** 'invalid_grant', 'invalid_client', 'http_500', 'timeout', 'network', … */
    readonly code: string,
    readonly retryable: boolean,
    readonly retryAfterSeconds?: number,
  ) {
    super(message);
    this.name = 'OAuthError';
  }
}

type TokenRequestOptions = {
  tokenUrl?: string;
  fetch?: typeof fetch;
  signal?: AbortSignal;
  /** For Retry-After HTTP-dates. */
  now?: () => Date;
};

const bytesToBase64Url = (bytes: Uint8Array): string => {
  let binary = '';
  for (const b of bytes) binary += String.fromCharCode(b);
  return btoa(binary).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
};

/** base64url without padding (RFC 4648 §5) of a string's UTF-8 bytes or of raw bytes. */
export const base64Url = (input: string | Uint8Array): string => bytesToBase64Url(typeof input === 'string' ? new TextEncoder().encode(input) : input);

export const randomToken = (bytes = 32): string => bytesToBase64Url(crypto.getRandomValues(new Uint8Array(bytes)));

/** PKCE S256: a 43-char verifier and its SHA-256 challenge. */
export async function pkcePair(): Promise<{ verifier: string; challenge: string }> {
  const verifier = randomToken(32);
  const digest = await crypto.subtle.digest('SHA-256', new TextEncoder().encode(verifier));
  return { verifier, challenge: bytesToBase64Url(new Uint8Array(digest)) };
}

export function buildConsentUrl(options: {
  clientId: string;
  redirectUri: string;
  state: string;
  codeChallenge: string;
  authUrl?: string;
  scope?: string;
}): string {
  const url = new URL(options.authUrl ?? GOOGLE_AUTH_URL);
  url.search = new URLSearchParams({
    client_id: options.clientId,
    redirect_uri: options.redirectUri,
    response_type: 'code',
    scope: options.scope ?? GMAIL_SEND_SCOPE,
    access_type: 'offline', // ask for a refresh token
    prompt: 'consent', // and a new one even if the app was authorised before
    code_challenge: options.codeChallenge,
    code_challenge_method: 'S256',
    state: options.state,
  }).toString();
  return url.toString();
}

/** Seconds from a Retry-After header: delta-seconds or an HTTP-date (RFC 9110 §10.2.3). */
export function parseRetryAfter(value: string | null, now: Date): number | undefined {
  if (value === null || value.trim() === '') return undefined;
  const trimmed = value.trim();
  if (/^\d+$/.test(trimmed)) return Number(trimmed);
  const at = Date.parse(trimmed);
  if (Number.isNaN(at)) return undefined;
  return Math.max(0, Math.ceil((at - now.getTime()) / 1000));
}

const HINTS: Record<string, string> = {
  invalid_grant:
    'the Gmail refresh token was revoked or has expired: run `npx astro-d1-notify gmail:auth --remote` again ' +
    '(it stores the new token as the Worker secret GMAIL_REFRESH_TOKEN; `--local` for .dev.vars)',
  invalid_client: 'GMAIL_CLIENT_ID / GMAIL_CLIENT_SECRET are wrong or the OAuth client was deleted',
  unauthorized_client: 'this OAuth client may not use this grant type (create a "Desktop app" client)',
};

/** POST a form to the token endpoint; resolves with the token or throws OAuthError. */
async function requestToken(params: Record<string, string>, options: TokenRequestOptions = {}): Promise<TokenResponse> {
  const doFetch = options.fetch ?? fetch;
  let response: Response;
  try {
    response = await doFetch(options.tokenUrl ?? GOOGLE_TOKEN_URL, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json' },
      body: new URLSearchParams(params).toString(),
      signal: options.signal,
    });
  } catch (error) {
    throw networkError('token endpoint', error, options.signal);
  }
  let body: Record<string, unknown> = {};
  try {
    body = (await response.json()) as Record<string, unknown>;
  } catch (error) {
    if (options.signal?.aborted) throw networkError('token endpoint', error, options.signal);
    // A non-JSON body (an HTML error page) is classified by its status below.
  }
  if (response.ok && typeof body.access_token === 'string') {
    return {
      access_token: body.access_token,
      expires_in: typeof body.expires_in === 'number' ? body.expires_in : Number(body.expires_in ?? 3600),
      token_type: String(body.token_type ?? 'Bearer'),
      scope: typeof body.scope === 'string' ? body.scope : undefined,
      refresh_token: typeof body.refresh_token === 'string' ? body.refresh_token : undefined,
    };
  }
  const status = response.status;
  const oauthCode = typeof body.error === 'string' ? body.error : undefined;
  const description = typeof body.error_description === 'string' ? body.error_description : undefined;
  const retryable = status === 429 || status >= 500;
  const code = oauthCode && !retryable ? oauthCode : `http_${status}`;
  const detail = [oauthCode, description].filter(Boolean).join(': ') || `HTTP ${status}`;
  const hint = oauthCode ? HINTS[oauthCode] : undefined;
  throw new OAuthError(
    `Google token endpoint refused the request (${detail})${hint ? `: ${hint}` : ''}`,
    code,
    retryable,
    retryable ? parseRetryAfter(response.headers.get('retry-after'), options.now?.() ?? new Date()) : undefined,
  );
}

function networkError(what: string, error: unknown, signal?: AbortSignal): OAuthError {
  if (signal?.aborted) return new OAuthError(`${what} did not answer in time`, 'timeout', true);
  const reason = error instanceof Error ? error.message : String(error);
  return new OAuthError(`${what} unreachable (${reason})`, 'network', true);
}

export const refreshAccessToken = (
  credentials: { clientId: string; clientSecret: string; refreshToken: string },
  options: TokenRequestOptions = {},
): Promise<TokenResponse> =>
  requestToken(
    {
      grant_type: 'refresh_token',
      client_id: credentials.clientId,
      client_secret: credentials.clientSecret,
      refresh_token: credentials.refreshToken,
    },
    options,
  );

export const exchangeAuthorizationCode = (
  input: { clientId: string; clientSecret: string; code: string; codeVerifier: string; redirectUri: string },
  options: TokenRequestOptions = {},
): Promise<TokenResponse> =>
  requestToken(
    {
      grant_type: 'authorization_code',
      code: input.code,
      client_id: input.clientId,
      client_secret: input.clientSecret,
      redirect_uri: input.redirectUri,
      code_verifier: input.codeVerifier,
    },
    options,
  );
