// `npx astro-d1-notify gmail:auth` end to end against the Google stand-in: the test is the browser.
import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startGoogleStandin, type GoogleStandin } from '../../test/helpers/google-standin';
import { startWorkersSecretsStandIn } from '../../test/helpers/workers-secrets-standin';
import { buildMessage, makeMessageId } from '../delivery/mime';
import { createGmailTransport } from '../delivery/providers/gmail/transport';
import { runGmailAuth } from './gmail-auth';

const ROOT = resolve(import.meta.dirname, '../..');
const NODE = resolve(ROOT, 'node_modules/.bin/node');
const BIN = resolve(ROOT, 'integration/cli/bin.mjs');
let google: GoogleStandin;
beforeAll(async () => {
  google = await startGoogleStandin();
});
afterAll(async () => {
  await google?.close();
});
beforeEach(() => google.reset());

/** What a browser does: open the consent URL (the stand-in "user" clicks Allow) and follow the redirect. */
async function actAsBrowser(consentUrl: string): Promise<Response> {
  const consent = await fetch(consentUrl, { redirect: 'manual' });
  expect(consent.status).toBe(302);
  const location = consent.headers.get('location')!;
  expect(location).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/oauth2callback\?/);
  return fetch(location);
}

describe('gmail:auth', () => {
  it('gets a refresh token through consent, loopback redirect and PKCE code exchange, and it sends mail', async () => {
    let landing: Promise<Response> | undefined;
    let consentUrl = '';
    const result = await runGmailAuth({
      clientId: google.clientId,
      clientSecret: google.clientSecret,
      authUrl: google.authUrl,
      tokenUrl: google.tokenUrl,
      log: () => {},
      onConsentUrl: (url) => {
        consentUrl = url;
        landing = actAsBrowser(url);
      },
    });
    const page = await landing!;
    expect(page.status).toBe(200);
    expect(await page.text()).toContain('You can close this tab');

    const params = new URL(consentUrl).searchParams;
    expect(params.get('scope')).toBe('https://www.googleapis.com/auth/gmail.send');
    expect(params.get('access_type')).toBe('offline');
    expect(params.get('prompt')).toBe('consent');
    expect(params.get('code_challenge_method')).toBe('S256');
    expect(params.get('state')?.length).toBeGreaterThanOrEqual(20);

    const exchange = google.tokenRequests[0]!.params;
    expect(exchange.grant_type).toBe('authorization_code');
    expect(exchange.redirect_uri).toBe(result.redirectUri);
    expect(exchange.code_verifier?.length).toBeGreaterThanOrEqual(43);
    expect(result.refreshToken).toBe(google.refreshToken);

    // The token works with the real transport.
    const messageId = makeMessageId('blog.example.com');
    const raw = buildMessage({
      from: { email: 'news@blog.example.com' },
      to: { email: 'r@example.org' },
      subject: 'hi',
      text: 'hi',
      html: '<p>hi</p>',
      messageId,
      date: new Date(),
      listUnsubscribeUrl: 'https://blog.example.com/u?t=1',
      listId: 'blog.example.com',
    });
    const gmail = createGmailTransport({ ...google, refreshToken: result.refreshToken, tokenUrl: google.tokenUrl, apiBase: google.apiBase });
    expect(await gmail.send({ to: 'r@example.org', raw, messageIdHeader: messageId })).toMatchObject({ ok: true });
  });

  it('refuses a redirect with the wrong state and exchanges nothing', async () => {
    let landing: Promise<Response> | undefined;
    const run = runGmailAuth({
      clientId: google.clientId,
      clientSecret: google.clientSecret,
      authUrl: google.authUrl,
      tokenUrl: google.tokenUrl,
      log: () => {},
      onConsentUrl: (url) => {
        const forged = new URL(new URL(url).searchParams.get('redirect_uri')!);
        forged.searchParams.set('code', 'attacker-code');
        forged.searchParams.set('state', 'forged');
        landing = fetch(forged);
      },
    });
    await expect(run).rejects.toThrow(/wrong state/);
    expect((await landing!).status).toBe(400);
    expect(google.tokenRequests).toHaveLength(0);
  });

  it('reports a denied consent', async () => {
    const run = runGmailAuth({
      clientId: google.clientId,
      clientSecret: google.clientSecret,
      authUrl: google.authUrl,
      tokenUrl: google.tokenUrl,
      log: () => {},
      onConsentUrl: (url) => {
        const p = new URL(url).searchParams;
        const back = new URL(p.get('redirect_uri')!);
        back.searchParams.set('error', 'access_denied');
        back.searchParams.set('state', p.get('state')!);
        void fetch(back);
      },
    });
    await expect(run).rejects.toThrow(/access_denied/);
  });

  /** `npx astro-d1-notify gmail:auth …args` in `cwd`, the test acting as the browser; resolves with its output. */
  async function runCommand(args: string[], cwd: string, env: Record<string, string> = {}) {
    const child = spawn(NODE, [BIN, 'gmail:auth', ...args], {
      cwd,
      env: {
        ...process.env,
        GMAIL_CLIENT_ID: google.clientId,
        GMAIL_CLIENT_SECRET: google.clientSecret,
        GOOGLE_OAUTH_AUTH_URL: google.authUrl,
        GOOGLE_OAUTH_TOKEN_URL: google.tokenUrl,
        ...env,
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const exited = new Promise<number | null>((r) => child.on('close', r));
    let stdout = '';
    let stderr = '';
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
    const consentUrl = await new Promise<string>((resolveUrl, reject) => {
      child.stdout.on('data', (c: Buffer) => {
        stdout += c.toString();
        const match = /^\s+(http:\/\/127\.0\.0\.1:\d+\/o\/oauth2\/v2\/auth\?\S+)$/m.exec(stdout);
        if (match) resolveUrl(match[1]!);
      });
      child.on('exit', () => reject(new Error(`exited early: ${stdout}${stderr}`)));
    });
    expect((await actAsBrowser(consentUrl)).status).toBe(200);
    const exitCode = await exited;
    return { stdout, stderr, exitCode };
  }

  it('runs from the bin with --print: prints the consent URL, then the refresh token and the wrangler command', async () => {
    const { stdout, stderr, exitCode } = await runCommand(['--print'], ROOT);
    expect(stderr).toBe('');
    expect(exitCode).toBe(0);
    expect(stdout).toContain(google.refreshToken);
    expect(stdout).toContain('wrangler secret put GMAIL_REFRESH_TOKEN');
  }, 30_000);

  it('--local writes the credentials to .dev.vars beside the wrangler config, keeps its other lines, and prints no secret', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'gmail-auth-'));
    try {
      mkdirSync(join(dir, 'site'));
      writeFileSync(join(dir, 'site/.dev.vars'), 'SITE_NAME="Mine"\nGMAIL_REFRESH_TOKEN="old"\n');
      const { stdout, stderr, exitCode } = await runCommand(['--local', '--config', 'site/wrangler.jsonc'], dir);
      expect(exitCode, stderr).toBe(0);
      expect(stdout).toContain('written to');
      for (const secret of [google.refreshToken, google.clientSecret]) expect(stdout + stderr).not.toContain(secret);
      const vars = readFileSync(join(dir, 'site/.dev.vars'), 'utf8');
      expect(vars).toBe(
        `SITE_NAME="Mine"\nGMAIL_CLIENT_ID="${google.clientId}"\nGMAIL_CLIENT_SECRET="${google.clientSecret}"\n` +
          `GMAIL_REFRESH_TOKEN="${google.refreshToken}"\nMAIL_TRANSPORT="gmail"\n`,
      );
      expect(statSync(join(dir, 'site/.dev.vars')).mode & 0o077).toBe(0);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 30_000);

  it('--remote stores the three values as Worker secrets through wrangler secret put, and prints no secret', async () => {
    const secrets = await startWorkersSecretsStandIn();
    const dir = mkdtempSync(join(tmpdir(), 'gmail-auth-remote-'));
    try {
      writeFileSync(join(dir, 'wrangler.jsonc'), '{ "name": "host-blog", "compatibility_date": "2026-10-01" }');
      const env = {
        CLOUDFLARE_API_BASE_URL: secrets.apiBase,
        CLOUDFLARE_ACCOUNT_ID: secrets.accountId,
        CLOUDFLARE_API_TOKEN: secrets.token,
        WRANGLER_SEND_METRICS: 'false',
      };
      const ok = await runCommand(['--remote'], dir, env);
      expect(ok.exitCode, ok.stderr).toBe(0);
      expect(Object.fromEntries(secrets.secrets.get('host-blog')!)).toEqual({
        GMAIL_CLIENT_ID: google.clientId,
        GMAIL_CLIENT_SECRET: google.clientSecret,
        GMAIL_REFRESH_TOKEN: google.refreshToken,
      });
      for (const secret of [google.refreshToken, google.clientSecret]) expect(ok.stdout + ok.stderr).not.toContain(secret);

      const refused = await runCommand(['--remote'], dir, { ...env, CLOUDFLARE_API_TOKEN: 'wrong-token-value' });
      expect(refused.exitCode).toBe(1);
      expect(refused.stderr).toMatch(/wrangler secret put GMAIL_CLIENT_ID failed/);
      for (const secret of [google.refreshToken, google.clientSecret, 'wrong-token-value']) expect(refused.stdout + refused.stderr).not.toContain(secret);
    } finally {
      rmSync(dir, { recursive: true, force: true });
      await secrets.close();
    }
  }, 90_000);

  it('exits with usage help when the client credentials are missing', async () => {
    const env = { ...process.env };
    delete env.GMAIL_CLIENT_ID;
    delete env.GMAIL_CLIENT_SECRET;
    const child = spawn(NODE, [BIN, 'gmail:auth', '--local'], { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
    const exitCode = await new Promise<number | null>((r) => child.on('exit', r));
    expect(exitCode).toBe(2);
    expect(stderr).toContain('GMAIL_CLIENT_ID');
  }, 30_000);
});
