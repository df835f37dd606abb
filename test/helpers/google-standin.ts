/**
 * A stand-in for Google on 127.0.0.1 that speaks the real HTTP protocol of
 *  - the OAuth consent page   GET  /o/oauth2/v2/auth   (redirects straight back, as if the user clicked "Allow")
 *  - the token endpoint       POST /token              (refresh_token and authorization_code grants, PKCE S256)
 *  - Gmail messages.send      POST /gmail/v1/users/me/messages/send
 * It checks what a real client must send (form/JSON bodies, client credentials,
 * Bearer tokens and their expiry, base64url `raw`), stores every decoded message,
 * and answers with Google's JSON shapes. Faults are scripted per request.
 */
import { createHash, randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export type StandinFault =
  | { kind: '429'; retryAfter?: string }
  | { kind: '500' }
  | { kind: '503'; retryAfter?: string }
  | { kind: '401' } // answer as if the access token had expired
  | { kind: '400'; message?: string }
  | { kind: '403'; reason: string; message?: string }
  | { kind: 'delay'; ms: number } // then answer normally
  | { kind: 'html'; status: number }; // a proxy's non-JSON error page

export type ReceivedMessage = {
  id: string;
  threadId: string;
  /** The decoded RFC 5322 message. */
  raw: string;
  rawBase64Url: string;
  authorization: string;
  contentType: string;
  body: unknown;
};

export type TokenRequest = { params: Record<string, string>; contentType: string };

export type GoogleStandin = {
  url: string;
  tokenUrl: string;
  apiBase: string;
  authUrl: string;
  clientId: string;
  clientSecret: string;
  refreshToken: string;
  /** Every message accepted by messages.send, in order. */
  sent: ReceivedMessage[];
  tokenRequests: TokenRequest[];
  /** Every request that reached messages.send (faulted ones included). */
  sendRequests: number;
  failNextSends(...faults: StandinFault[]): void;
  failNextTokens(...faults: StandinFault[]): void;
  /** Every access token issued so far now answers 401. */
  expireAccessTokens(): void;
  /** The refresh token now answers invalid_grant (the user revoked access). */
  revokeRefreshToken(): void;
  /** Forget received messages, token requests and unused faults (between tests). */
  reset(): void;
  close(): Promise<void>;
};

type Options = { accessTokenLifetimeSeconds?: number };

const readBody = (req: IncomingMessage): Promise<string> =>
  new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function json(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  if (res.destroyed) return; // the client gave up (timeout test)
  res.writeHead(status, { 'content-type': 'application/json; charset=UTF-8', ...headers });
  res.end(JSON.stringify(body));
}

/** Google API error body (https://developers.google.com/gmail/api/guides/handle-errors). */
const googleError = (code: number, status: string, message: string, reason: string) => ({
  error: { code, message, errors: [{ domain: 'global', reason, message }], status },
});

function answerFault(res: ServerResponse, fault: StandinFault): boolean {
  switch (fault.kind) {
    case '429':
      json(
        res,
        429,
        googleError(429, 'RESOURCE_EXHAUSTED', 'User-rate limit exceeded.', 'rateLimitExceeded'),
        fault.retryAfter ? { 'retry-after': fault.retryAfter } : {},
      );
      return true;
    case '500':
      json(res, 500, googleError(500, 'INTERNAL', 'Backend Error', 'backendError'));
      return true;
    case '503':
      json(
        res,
        503,
        googleError(503, 'UNAVAILABLE', 'The service is currently unavailable.', 'backendError'),
        fault.retryAfter ? { 'retry-after': fault.retryAfter } : {},
      );
      return true;
    case '401':
      json(res, 401, googleError(401, 'UNAUTHENTICATED', 'Invalid Credentials', 'authError'), {
        'www-authenticate': 'Bearer realm="https://accounts.google.com/"',
      });
      return true;
    case '400':
      json(res, 400, googleError(400, 'INVALID_ARGUMENT', fault.message ?? 'Invalid To header', 'invalidArgument'));
      return true;
    case '403':
      json(res, 403, googleError(403, 'PERMISSION_DENIED', fault.message ?? fault.reason, fault.reason));
      return true;
    case 'html':
      if (!res.destroyed) {
        res.writeHead(fault.status, { 'content-type': 'text/html' });
        res.end('<html><body>Bad Gateway</body></html>');
      }
      return true;
    case 'delay':
      return false;
  }
}

export async function startGoogleStandin(options: Options = {}): Promise<GoogleStandin> {
  const lifetime = options.accessTokenLifetimeSeconds ?? 3599;
  const clientId = `${randomBytes(6).toString('hex')}.apps.googleusercontent.com`;
  const clientSecret = `GOCSPX-${randomBytes(12).toString('hex')}`;
  let refreshToken = `1//${randomBytes(24).toString('base64url')}`;
  let refreshRevoked = false;
  const accessTokens = new Map<string, number>(); // token → expiry (ms)
  const authCodes = new Map<string, { challenge: string; redirectUri: string; used: boolean }>();
  const sendFaults: StandinFault[] = [];
  const tokenFaults: StandinFault[] = [];
  const state = { sendRequests: 0 };
  const sent: ReceivedMessage[] = [];
  const tokenRequests: TokenRequest[] = [];

  async function takeFault(queue: StandinFault[], res: ServerResponse): Promise<boolean> {
    const fault = queue.shift();
    if (!fault) return false;
    if (fault.kind === 'delay') {
      await sleep(fault.ms);
      return false;
    }
    return answerFault(res, fault);
  }

  function issueAccessToken(): string {
    const token = `ya29.${randomBytes(24).toString('base64url')}`;
    accessTokens.set(token, Date.now() + lifetime * 1000);
    return token;
  }

  async function token(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const contentType = req.headers['content-type'] ?? '';
    const params = Object.fromEntries(new URLSearchParams(await readBody(req)));
    tokenRequests.push({ params, contentType });
    if (await takeFault(tokenFaults, res)) return;
    if (!contentType.startsWith('application/x-www-form-urlencoded')) {
      return json(res, 400, { error: 'invalid_request', error_description: 'Bad Request' });
    }
    if (params.client_id !== clientId || params.client_secret !== clientSecret) {
      return json(res, 401, { error: 'invalid_client', error_description: 'Unauthorized' });
    }
    if (params.grant_type === 'refresh_token') {
      if (refreshRevoked || params.refresh_token !== refreshToken) {
        return json(res, 400, { error: 'invalid_grant', error_description: 'Token has been expired or revoked.' });
      }
      return json(res, 200, {
        access_token: issueAccessToken(),
        expires_in: lifetime,
        scope: 'https://www.googleapis.com/auth/gmail.send',
        token_type: 'Bearer',
      });
    }
    if (params.grant_type === 'authorization_code') {
      const grant = authCodes.get(params.code ?? '');
      const verifierHash = createHash('sha256')
        .update(params.code_verifier ?? '')
        .digest('base64url');
      if (!grant || grant.used || grant.redirectUri !== params.redirect_uri || grant.challenge !== verifierHash) {
        return json(res, 400, { error: 'invalid_grant', error_description: 'Bad Request' });
      }
      grant.used = true;
      refreshToken = `1//${randomBytes(24).toString('base64url')}`;
      refreshRevoked = false;
      return json(res, 200, {
        access_token: issueAccessToken(),
        expires_in: lifetime,
        refresh_token: refreshToken,
        scope: 'https://www.googleapis.com/auth/gmail.send',
        token_type: 'Bearer',
      });
    }
    return json(res, 400, { error: 'unsupported_grant_type', error_description: `Invalid grant_type: ${params.grant_type}` });
  }

  async function send(req: IncomingMessage, res: ServerResponse): Promise<void> {
    state.sendRequests += 1;
    const text = await readBody(req);
    if (await takeFault(sendFaults, res)) return;
    const authorization = req.headers.authorization ?? '';
    const bearer = /^Bearer (\S+)$/.exec(authorization)?.[1];
    const expiry = bearer ? accessTokens.get(bearer) : undefined;
    if (expiry === undefined || expiry <= Date.now()) return void answerFault(res, { kind: '401' });
    const contentType = req.headers['content-type'] ?? '';
    let body: unknown;
    try {
      body = JSON.parse(text);
    } catch {
      return json(res, 400, googleError(400, 'INVALID_ARGUMENT', 'Invalid JSON payload received.', 'parseError'));
    }
    const raw = (body as { raw?: unknown } | null)?.raw;
    const keys = body && typeof body === 'object' ? Object.keys(body) : [];
    if (!contentType.startsWith('application/json') || typeof raw !== 'string' || keys.join() !== 'raw') {
      return json(
        res,
        400,
        googleError(400, 'INVALID_ARGUMENT', "'raw' RFC822 payload message string or uploading message via /upload/* URL required", 'invalidArgument'),
      );
    }
    if (!/^[A-Za-z0-9_-]+$/.test(raw)) {
      return json(res, 400, googleError(400, 'INVALID_ARGUMENT', 'Invalid value for ByteString: raw must be base64url', 'invalidArgument'));
    }
    const decoded = Buffer.from(raw, 'base64url').toString('utf8');
    if (!/^To: /im.test(decoded.slice(0, decoded.indexOf('\r\n\r\n')))) {
      return json(res, 400, googleError(400, 'FAILED_PRECONDITION', 'Recipient address required', 'failedPrecondition'));
    }
    const id = randomBytes(8).toString('hex');
    sent.push({ id, threadId: id, raw: decoded, rawBase64Url: raw, authorization, contentType, body });
    return json(res, 200, { id, threadId: id, labelIds: ['SENT'] });
  }

  function consent(url: URL, res: ServerResponse): void {
    const p = url.searchParams;
    const redirectUri = p.get('redirect_uri') ?? '';
    const ok =
      p.get('client_id') === clientId &&
      p.get('response_type') === 'code' &&
      p.get('code_challenge_method') === 'S256' &&
      (p.get('code_challenge') ?? '').length >= 43 &&
      p.get('access_type') === 'offline' &&
      /^http:\/\/127\.0\.0\.1:\d+\//.test(redirectUri);
    if (!ok) {
      res.writeHead(400, { 'content-type': 'text/plain' });
      return void res.end('Error 400: invalid_request');
    }
    const code = `4/${randomBytes(16).toString('base64url')}`;
    authCodes.set(code, { challenge: p.get('code_challenge')!, redirectUri, used: false });
    const back = new URL(redirectUri);
    back.searchParams.set('code', code);
    back.searchParams.set('scope', p.get('scope') ?? '');
    if (p.has('state')) back.searchParams.set('state', p.get('state')!);
    res.writeHead(302, { location: back.toString() });
    res.end();
  }

  const server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    const route = `${req.method} ${url.pathname}`;
    const handle = async () => {
      if (route === 'POST /token') return token(req, res);
      if (route === 'POST /gmail/v1/users/me/messages/send') return send(req, res);
      if (route === 'GET /o/oauth2/v2/auth') return consent(url, res);
      json(res, 404, googleError(404, 'NOT_FOUND', 'Not Found', 'notFound'));
    };
    handle().catch((error) => {
      if (!res.headersSent && !res.destroyed) json(res, 500, { error: String(error) });
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

  return {
    url: base,
    tokenUrl: `${base}/token`,
    apiBase: base,
    authUrl: `${base}/o/oauth2/v2/auth`,
    clientId,
    clientSecret,
    get refreshToken() {
      return refreshToken;
    },
    sent,
    tokenRequests,
    get sendRequests() {
      return state.sendRequests;
    },
    failNextSends: (...faults) => void sendFaults.push(...faults),
    failNextTokens: (...faults) => void tokenFaults.push(...faults),
    expireAccessTokens: () => {
      for (const token of accessTokens.keys()) accessTokens.set(token, 0);
    },
    revokeRefreshToken: () => {
      refreshRevoked = true;
    },
    reset: () => {
      sent.length = 0;
      tokenRequests.length = 0;
      sendFaults.length = 0;
      tokenFaults.length = 0;
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
