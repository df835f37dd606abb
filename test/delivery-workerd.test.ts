// The MIME builder and the Gmail transport bundled for Workers and run in workerd
// (Miniflare), sending to the Google stand-in: no Node-only API may sneak in.
import { resolve } from 'node:path';
import { convertV4MiniflareOptions, Miniflare } from 'miniflare';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bundleForWorkerd } from './helpers/workerd-bundle';
import type { SendResult } from '../integration/delivery/transport';
import { startGoogleStandin, type GoogleStandin } from './helpers/google-standin';
import { parseMime } from './helpers/mime-assert';

let google: GoogleStandin;
let mf: Miniflare | undefined;

beforeAll(async () => {
  google = await startGoogleStandin();
  const bundleText = await bundleForWorkerd(resolve(import.meta.dirname, 'fixtures/workerd-delivery/worker.ts'));
  // miniflare 5 (the beta wrangler 4.151 pins) takes `workers: [...]`; the converter accepts the classic shape.
  mf = new Miniflare(
    convertV4MiniflareOptions({
      modules: true,
      script: bundleText,
      compatibilityDate: '2026-10-01', // no nodejs_compat on purpose
      bindings: { CLIENT_ID: google.clientId, CLIENT_SECRET: google.clientSecret, REFRESH_TOKEN: google.refreshToken, GOOGLE_BASE: google.url },
    }),
  );
}, 60_000);

afterAll(async () => {
  await mf?.dispose();
  await google?.close();
});

describe('delivery code in workerd', () => {
  it('builds the message and sends it through the Gmail transport to the stand-in', async () => {
    const response = await mf!.dispatchFetch('http://worker/');
    const body = (await response.json()) as { raw: string; messageId: string; result: SendResult };
    expect(body.result).toEqual({ ok: true, providerMessageId: google.sent[0]?.id });
    expect(google.sent[0]!.raw).toBe(body.raw);
    const email = await parseMime(google.sent[0]!.raw);
    expect(email.subject).toBe('Built in workerd ✓');
    expect(email.from).toEqual({ name: 'Plain Wörds', address: 'news@blog.example.com' });
    expect(email.messageId).toBe(body.messageId);
    expect(email.headers.find((h) => h.key === 'list-unsubscribe-post')?.value).toBe('List-Unsubscribe=One-Click');
    expect(email.html).toContain('<b>workerd</b>');
  });
});
