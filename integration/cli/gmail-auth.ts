/**
 * `npx astro-d1-notify gmail:auth`: obtain a Gmail refresh token for the Gmail transport.
 *
 * OAuth 2.0 for installed apps with a loopback redirect and PKCE: a one-shot HTTP
 * server on 127.0.0.1 (random port) receives Google's redirect, the code is
 * exchanged at the token endpoint, and the refresh token is printed with the
 * commands that store it. Needs an OAuth client of type "Desktop app" and
 * GMAIL_CLIENT_ID / GMAIL_CLIENT_SECRET in the environment. Scope: gmail.send only.
 *
 * GOOGLE_OAUTH_AUTH_URL and GOOGLE_OAUTH_TOKEN_URL override Google's endpoints
 * (the tests point them at a stand-in).
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { resolve } from 'node:path';
import {
  buildConsentUrl,
  exchangeAuthorizationCode,
  GMAIL_SEND_SCOPE,
  GOOGLE_AUTH_URL,
  GOOGLE_TOKEN_URL,
  pkcePair,
  randomToken,
} from '../delivery/providers/gmail/google-oauth';
import { parseFlags, UsageError, type CommandContext } from './db-target';
import { putWorkerSecrets, writeDevVars } from './store-secrets';

type GmailAuthOptions = {
  clientId: string;
  clientSecret: string;
  authUrl?: string;
  tokenUrl?: string;
  fetch?: typeof fetch;
  /** How long to wait for the browser to come back. */
  timeoutMs?: number;
  log?: (line: string) => void;
  /** Called with the consent URL once the loopback server listens (tests act as the browser here). */
  onConsentUrl?: (url: string) => void;
};

type GmailAuthResult = { refreshToken: string; scope?: string; redirectUri: string };

const DEFAULT_TIMEOUT_MS = 5 * 60_000;
const CALLBACK_PATH = '/oauth2callback';

const page = (title: string, body: string) =>
  `<!doctype html><meta charset="utf-8"><title>${title}</title>` +
  `<body style="font-family:system-ui;max-width:36rem;margin:3rem auto"><h1>${title}</h1><p>${body}</p></body>`;

/** Waits for one valid redirect on the loopback server; resolves with the authorization code. */
function waitForCode(server: Server, state: string, timeoutMs: number): Promise<string> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no answer from the browser within ${Math.round(timeoutMs / 1000)} s`)), timeoutMs);
    server.on('request', (req, res) => {
      const url = new URL(req.url ?? '/', 'http://127.0.0.1');
      if (req.method !== 'GET' || url.pathname !== CALLBACK_PATH) {
        res.writeHead(404, { 'content-type': 'text/plain' }).end('Not found');
        return;
      }
      const finish = (status: number, title: string, body: string, outcome: () => void) => {
        res.writeHead(status, { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-store' }).end(page(title, body));
        clearTimeout(timer);
        outcome();
      };
      // The state ties the redirect to this run: anything else is refused (CSRF on the loopback port).
      if (url.searchParams.get('state') !== state) {
        finish(400, 'Authorization failed', 'The state parameter did not match. Run the command again.', () =>
          reject(new Error('the redirect carried the wrong state; nothing was exchanged')),
        );
        return;
      }
      const error = url.searchParams.get('error');
      const code = url.searchParams.get('code');
      if (error || !code) {
        finish(400, 'Authorization failed', `Google answered: ${error ?? 'no code'}.`, () =>
          reject(new Error(`Google refused the authorization (${error ?? 'no code in the redirect'})`)),
        );
        return;
      }
      finish(200, 'Gmail access granted', 'You can close this tab and return to the terminal.', () => resolve(code));
    });
  });
}

export async function runGmailAuth(options: GmailAuthOptions): Promise<GmailAuthResult> {
  const log = options.log ?? ((line: string) => console.log(line));
  const { verifier, challenge } = await pkcePair();
  const state = randomToken(16);

  const server = createServer();
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', resolve);
  });
  try {
    const redirectUri = `http://127.0.0.1:${(server.address() as AddressInfo).port}${CALLBACK_PATH}`;
    const consentUrl = buildConsentUrl({
      authUrl: options.authUrl ?? GOOGLE_AUTH_URL,
      clientId: options.clientId,
      redirectUri,
      state,
      codeChallenge: challenge,
      scope: GMAIL_SEND_SCOPE,
    });
    const codePromise = waitForCode(server, state, options.timeoutMs ?? DEFAULT_TIMEOUT_MS);
    log('Open this URL in a browser, sign in with the Gmail account that sends the newsletter, and allow "Send email on your behalf":');
    log('');
    log(`  ${consentUrl}`);
    log('');
    log(`Waiting for Google to redirect to ${redirectUri} …`);
    options.onConsentUrl?.(consentUrl);

    const code = await codePromise;
    const token = await exchangeAuthorizationCode(
      { clientId: options.clientId, clientSecret: options.clientSecret, code, codeVerifier: verifier, redirectUri },
      { tokenUrl: options.tokenUrl ?? GOOGLE_TOKEN_URL, fetch: options.fetch },
    );
    if (!token.refresh_token) {
      throw new Error('Google returned no refresh token. Remove the app at https://myaccount.google.com/permissions and run the command again.');
    }
    return { refreshToken: token.refresh_token, scope: token.scope, redirectUri };
  } finally {
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }
}

function instructions(refreshToken: string): string[] {
  return [
    '',
    'Refresh token (a secret: it can send mail as this account until revoked):',
    '',
    `  ${refreshToken}`,
    '',
    'Store it, with the client credentials, as Worker secrets (or run again with --remote, which does):',
    '',
    '  npx wrangler secret put GMAIL_REFRESH_TOKEN',
    '  npx wrangler secret put GMAIL_CLIENT_ID',
    '  npx wrangler secret put GMAIL_CLIENT_SECRET',
    '',
    'and set the variable MAIL_TRANSPORT to "gmail" for the deployment (wrangler.jsonc "vars").',
  ];
}

const WHERE = "say where the token goes: --local (.dev.vars), --remote (the deployed Worker's secrets) or --print";

export async function gmailAuthCommand(args: readonly string[], ctx: CommandContext): Promise<number> {
  const flags = parseFlags(args, { print: { type: 'boolean' } });
  const where = [flags.local && 'local', flags.remote && 'remote', flags.print && 'print'].filter(Boolean);
  if (where.length !== 1) throw new UsageError(where.length === 0 ? WHERE : `${WHERE}, only one of them`);
  const clientId = ctx.env.GMAIL_CLIENT_ID?.trim();
  const clientSecret = ctx.env.GMAIL_CLIENT_SECRET?.trim();
  if (!clientId || !clientSecret) {
    throw new UsageError(
      'set GMAIL_CLIENT_ID and GMAIL_CLIENT_SECRET (an OAuth client of type "Desktop app" ' +
        'from https://console.cloud.google.com/apis/credentials, with the Gmail API enabled), e.g.\n' +
        '  GMAIL_CLIENT_ID=… GMAIL_CLIENT_SECRET=… npx astro-d1-notify gmail:auth --remote',
    );
  }
  const result = await runGmailAuth({
    clientId,
    clientSecret,
    authUrl: ctx.env.GOOGLE_OAUTH_AUTH_URL || undefined,
    tokenUrl: ctx.env.GOOGLE_OAUTH_TOKEN_URL || undefined,
    log: ctx.log,
  });
  if (flags.print) {
    for (const line of instructions(result.refreshToken)) ctx.log(line);
    return 0;
  }
  const configPath = resolve(ctx.root, flags.config ?? 'wrangler.jsonc');
  const secrets = { GMAIL_CLIENT_ID: clientId, GMAIL_CLIENT_SECRET: clientSecret, GMAIL_REFRESH_TOKEN: result.refreshToken };
  if (flags.local) {
    const file = writeDevVars(configPath, { ...secrets, MAIL_TRANSPORT: 'gmail' });
    ctx.log(`Gmail access granted. GMAIL_CLIENT_ID, GMAIL_CLIENT_SECRET, GMAIL_REFRESH_TOKEN and MAIL_TRANSPORT=gmail written to ${file} (never commit it).`);
    return 0;
  }
  await putWorkerSecrets(configPath, secrets, ctx.env, ctx.root);
  ctx.log(
    'Gmail access granted. GMAIL_CLIENT_ID, GMAIL_CLIENT_SECRET and GMAIL_REFRESH_TOKEN are stored as secrets of the deployed Worker; ' +
      'set "MAIL_TRANSPORT": "gmail" in wrangler.jsonc "vars" and deploy.',
  );
  return 0;
}
