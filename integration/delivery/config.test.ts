import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigError, deliveryConfigProblem, loadDeliveryConfig, parseMailFrom, readSetting, SETTINGS_SHAPE } from './config';
import { FEEDBACK_PROVIDERS, PROVIDERS, TRANSPORT_NAMES, WEBHOOK_PATHS } from './providers/registry';

/** A stranger's deployment with every required setting. */
const SITE = { SITE_URL: 'https://blog.example.com', SITE_NAME: 'A Blog', MAIL_FROM: 'A Blog <news@blog.example.com>', POSTAL_ADDRESS: '1 Road, Town' };
const LOCAL = { SITE_URL: 'http://localhost:4321' };

describe('loadDeliveryConfig', () => {
  it('on a loopback SITE_URL, fills what is missing with neutral local values (the dev capture), never the demo blog', () => {
    const c = loadDeliveryConfig(LOCAL);
    expect(c).toMatchObject({
      transport: 'dev',
      transactionalTransport: 'dev',
      ratePerMinute: 150,
      dailyCap: 2000,
      digestHourUtc: 8,
      digestWeekday: 1,
      maxAttempts: 5,
      tracking: { enabled: false },
      siteName: 'Local preview',
      from: { email: 'preview@localhost.test', name: 'Local preview' },
    });
    expect(JSON.stringify(c)).not.toMatch(/Plain Words|example\.com|Example Street/);
    for (const url of ['http://127.0.0.1:8787', 'http://localhost:4321']) expect(loadDeliveryConfig({ SITE_URL: url }).transport).toBe('dev');
  });
  it('anywhere else has no defaults: one message names every missing variable', () => {
    expect(() => loadDeliveryConfig({})).toThrow(ConfigError);
    expect(() => loadDeliveryConfig({})).toThrow(/SITE_URL, SITE_NAME, MAIL_FROM, POSTAL_ADDRESS, MAIL_TRANSPORT are not set/);
    expect(() => loadDeliveryConfig({ SITE_URL: 'https://blog.example.com' })).toThrow(
      /Sending is stopped: SITE_NAME, MAIL_FROM, POSTAL_ADDRESS, MAIL_TRANSPORT are not set/,
    );
    expect(() => loadDeliveryConfig({ ...SITE, POSTAL_ADDRESS: ' ', MAIL_TRANSPORT: 'resend', RESEND_API_KEY: 'k' })).toThrow(/: POSTAL_ADDRESS is not set/);
    expect(deliveryConfigProblem({ ...SITE })).toMatch(/MAIL_TRANSPORT is not set/);
    expect(deliveryConfigProblem({ ...SITE, MAIL_TRANSPORT: 'resend', RESEND_API_KEY: 'k' })).toBeUndefined();
  });
  it('refuses the dev capture on a public host', () => {
    expect(() => loadDeliveryConfig({ ...SITE, MAIL_TRANSPORT: 'dev' })).toThrow(/MAIL_TRANSPORT is "dev".*only when SITE_URL is a loopback host/);
    expect(() => loadDeliveryConfig({ ...SITE, MAIL_TRANSPORT: 'resend', RESEND_API_KEY: 'k', MAIL_TRANSPORT_TRANSACTIONAL: 'dev' })).toThrow(/"dev"/);
    expect(() => loadDeliveryConfig({ SITE_URL: 'https://localhost.example.com', MAIL_TRANSPORT: 'dev' })).toThrow(ConfigError);
  });
  it('names each missing Gmail secret in gmail mode', () => {
    expect(() => loadDeliveryConfig({ ...SITE, MAIL_TRANSPORT: 'gmail', GMAIL_CLIENT_ID: 'id' })).toThrow(/GMAIL_CLIENT_SECRET, GMAIL_REFRESH_TOKEN/);
    const c = loadDeliveryConfig({ ...SITE, MAIL_TRANSPORT: 'gmail', GMAIL_CLIENT_ID: 'i', GMAIL_CLIENT_SECRET: 's', GMAIL_REFRESH_TOKEN: 'r' });
    expect(c.settings).toMatchObject({ GMAIL_CLIENT_ID: 'i', GMAIL_CLIENT_SECRET: 's', GMAIL_REFRESH_TOKEN: 'r' });
  });
  it('needs TRACKING_SECRET when tracking is on, and rejects bad numbers', () => {
    expect(() => loadDeliveryConfig({ ...LOCAL, TRACKING_ENABLED: 'true' })).toThrow(/TRACKING_SECRET/);
    expect(loadDeliveryConfig({ ...LOCAL, TRACKING_ENABLED: 'on', TRACKING_SECRET: 'k' }).tracking).toEqual({ enabled: true, secret: 'k' });
    expect(() => loadDeliveryConfig({ ...LOCAL, DIGEST_HOUR_UTC: '24' })).toThrow(/DIGEST_HOUR_UTC/);
    expect(() => loadDeliveryConfig({ ...LOCAL, RATE_PER_MINUTE: 'fast' })).toThrow(/RATE_PER_MINUTE/);
    expect(loadDeliveryConfig({ SITE_URL: 'http://localhost:4321/' }).siteUrl).toBe('http://localhost:4321');
  });
  it('links the site name to the site’s home (SITE_URL’s origin + Astro’s base), not to the integration’s prefix', () => {
    const c = loadDeliveryConfig({
      ...SITE,
      MAIL_TRANSPORT: 'resend',
      RESEND_API_KEY: 're_1',
      SITE_URL: 'https://x.example/',
      SITE_BASE: '/journal',
      ROUTE_BASE: '/journal/newsletter',
    });
    expect(c.siteUrl).toBe('https://x.example/journal/newsletter');
    expect(c.homeUrl).toBe('https://x.example/journal/');
    expect(
      loadDeliveryConfig({ ...SITE, MAIL_TRANSPORT: 'resend', RESEND_API_KEY: 're_1', SITE_URL: 'https://x.example', ROUTE_BASE: '/newsletter' }).homeUrl,
    ).toBe('https://x.example/');
  });
  it('picks pacing defaults by the bulk transport unless RATE_PER_MINUTE / DAILY_CAP are set', () => {
    const ses = loadDeliveryConfig({ ...SITE, MAIL_TRANSPORT: 'ses', AWS_ACCESS_KEY_ID: 'AKIA1', AWS_SECRET_ACCESS_KEY: 's' });
    expect([ses.ratePerMinute, ses.dailyCap]).toEqual([840, 50_000]);
    const resend = loadDeliveryConfig({ ...SITE, MAIL_TRANSPORT: 'resend', RESEND_API_KEY: 're_1' });
    expect([resend.ratePerMinute, resend.dailyCap]).toEqual([600, 100]);
    const postmark = loadDeliveryConfig({ ...SITE, MAIL_TRANSPORT: 'postmark', POSTMARK_SERVER_TOKEN: 't' });
    expect([postmark.ratePerMinute, postmark.dailyCap]).toEqual([1_000, 0]);
    expect(loadDeliveryConfig({ ...SITE, MAIL_TRANSPORT: 'resend', RESEND_API_KEY: 're_1', DAILY_CAP: '0', RATE_PER_MINUTE: '7' })).toMatchObject({
      ratePerMinute: 7,
      dailyCap: 0,
    });
  });
  it('names each missing provider secret, for the bulk and the transactional transport', () => {
    expect(() => loadDeliveryConfig({ ...SITE, MAIL_TRANSPORT: 'ses', AWS_ACCESS_KEY_ID: 'AKIA1' })).toThrow(
      /MAIL_TRANSPORT is "ses" but AWS_SECRET_ACCESS_KEY is not set/,
    );
    expect(() => loadDeliveryConfig({ ...SITE, MAIL_TRANSPORT: 'postmark' })).toThrow(/POSTMARK_SERVER_TOKEN/);
    expect(() => loadDeliveryConfig({ ...LOCAL, MAIL_TRANSPORT_TRANSACTIONAL: 'resend' })).toThrow(
      /MAIL_TRANSPORT_TRANSACTIONAL is "resend" but RESEND_API_KEY/,
    );
    expect(() => loadDeliveryConfig({ ...SITE, MAIL_TRANSPORT: 'mailgun' })).toThrow(/MAIL_TRANSPORT/);
    expect(() => loadDeliveryConfig({ ...SITE, MAIL_TRANSPORT: 'ses', AWS_ACCESS_KEY_ID: 'a', AWS_SECRET_ACCESS_KEY: 's', SES_REGION: 'moon' })).toThrow(
      /SES_REGION/,
    );
  });
  it("reads each provider's settings, with the documented defaults", () => {
    const c = loadDeliveryConfig({
      ...SITE,
      MAIL_TRANSPORT: 'postmark',
      POSTMARK_SERVER_TOKEN: 'pm',
      MAIL_TRANSPORT_TRANSACTIONAL: 'ses',
      AWS_ACCESS_KEY_ID: 'AKIA1',
      AWS_SECRET_ACCESS_KEY: 'sk',
      SES_CONFIGURATION_SET: 'blog-events',
    });
    expect(c.transport).toBe('postmark');
    expect(c.transactionalTransport).toBe('ses');
    expect(c.settings).toMatchObject({
      POSTMARK_SERVER_TOKEN: 'pm',
      POSTMARK_MESSAGE_STREAM: 'broadcast',
      POSTMARK_TRANSACTIONAL_STREAM: 'outbound',
      SES_REGION: 'us-east-1',
      SES_CONFIGURATION_SET: 'blog-events',
    });
  });
  it('parses MAIL_FROM with or without a display name', () => {
    expect(parseMailFrom('Plain Words <news@example.com>')).toEqual({ name: 'Plain Words', email: 'news@example.com' });
    expect(parseMailFrom('"Plain, Words" <news@example.com>')).toEqual({ name: 'Plain, Words', email: 'news@example.com' });
    expect(parseMailFrom('news@example.com')).toEqual({ email: 'news@example.com' });
    expect(() => parseMailFrom('not an address')).toThrow(/MAIL_FROM/);
  });

  it('reads MAIL_REPLY_TO as an address, and names it when it is not one', () => {
    const ok = { ...SITE, MAIL_TRANSPORT: 'resend', RESEND_API_KEY: 'k' };
    expect(loadDeliveryConfig(ok).replyTo).toBeUndefined();
    expect(loadDeliveryConfig({ ...ok, MAIL_REPLY_TO: 'Ada <ada@example.com>' }).replyTo).toEqual({ name: 'Ada', email: 'ada@example.com' });
    expect(() => loadDeliveryConfig({ ...ok, MAIL_REPLY_TO: 'ada at example' })).toThrow(/^MAIL_REPLY_TO must be/);
  });
});

describe('one schema for every setting', () => {
  it('gives MAIL_TRANSPORT its one default, on a loopback SITE_URL only; undeclared names throw', () => {
    expect(readSetting(LOCAL, 'MAIL_TRANSPORT')).toBe('dev');
    expect(readSetting({ SITE_URL: 'https://blog.example.com' }, 'MAIL_TRANSPORT')).toBeUndefined();
    expect(readSetting({ ...LOCAL, MAIL_TRANSPORT: 'resend' }, 'MAIL_TRANSPORT')).toBe('resend');
    expect(readSetting({}, 'DIGEST_HOUR_UTC')).toBe(8);
    expect(readSetting({ DIGEST_HOUR_UTC: '' }, 'DIGEST_HOUR_UTC')).toBe(8);
    expect(() => readSetting({}, 'NO_SUCH_SETTING')).toThrow(/Unknown setting NO_SUCH_SETTING/);
  });

  it("every setting('X') the integration reads is declared in the schema", () => {
    const root = join(import.meta.dirname, '..');
    const names = new Set<string>();
    const walk = (dir: string) => {
      for (const entry of readdirSync(dir, { withFileTypes: true })) {
        const full = join(dir, entry.name);
        if (entry.isDirectory()) walk(full);
        else if (/\.(ts|astro)$/.test(entry.name) && !entry.name.endsWith('.test.ts')) {
          for (const m of readFileSync(full, 'utf8').matchAll(/\bsetting\('([A-Z0-9_]+)'\)/g)) names.add(m[1]!);
        }
      }
    };
    walk(root);
    expect(names.size).toBeGreaterThan(5);
    expect([...names].filter((n) => !(n in SETTINGS_SHAPE))).toEqual([]);
  });
});

describe('the provider registry', () => {
  it('is the one list every other list derives from', () => {
    const names = PROVIDERS.map((p) => p.name);
    expect(TRANSPORT_NAMES).toEqual(names);
    expect(new Set(names).size).toBe(names.length);
    for (const p of PROVIDERS) for (const name of [...Object.keys(p.settings), ...p.required]) expect(SETTINGS_SHAPE).toHaveProperty(name);
    expect([...WEBHOOK_PATHS].sort()).toEqual(['/api/webhooks/postmark', '/api/webhooks/resend', '/api/webhooks/ses']);
    expect([...FEEDBACK_PROVIDERS].sort()).toEqual(['cloudflare', 'postmark', 'resend', 'ses']);
  });
});

describe('settings read one by one', () => {
  it('a bad value of one variable does not stop another from being read', async () => {
    const { readSettingsNamed } = await import('./config');
    const env = { DIGEST_HOUR_UTC: '99', TRACKING_ENABLED: 'yes', TRACKING_SECRET: 'k', RESEND_WEBHOOK_SECRET: 'whsec_x' };
    expect(readSettingsNamed(env, ['TRACKING_ENABLED', 'TRACKING_SECRET', 'RESEND_WEBHOOK_SECRET'])).toEqual({
      TRACKING_ENABLED: true,
      TRACKING_SECRET: 'k',
      RESEND_WEBHOOK_SECRET: 'whsec_x',
    });
    expect(readSettingsNamed(env, ['DIGEST_HOUR_UTC'])).toEqual({ DIGEST_HOUR_UTC: undefined });
  });
});
