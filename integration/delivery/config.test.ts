import { describe, expect, it } from 'vitest';
import { ConfigError, loadDeliveryConfig, parseMailFrom } from './config';

describe('loadDeliveryConfig', () => {
  it('has working dev defaults', () => {
    const c = loadDeliveryConfig({});
    expect(c).toMatchObject({
      transport: 'dev',
      ratePerMinute: 150,
      dailyCap: 2000,
      digestHourUtc: 8,
      digestWeekday: 1,
      maxAttempts: 5,
      tracking: { enabled: false },
      from: { email: 'news@example.com', name: 'Plain Words' },
      messageIdDomain: 'example.com',
    });
  });
  it('names each missing Gmail secret in gmail mode', () => {
    expect(() => loadDeliveryConfig({ MAIL_TRANSPORT: 'gmail', GMAIL_CLIENT_ID: 'id' })).toThrow(/GMAIL_CLIENT_SECRET, GMAIL_REFRESH_TOKEN/);
    expect(() => loadDeliveryConfig({ MAIL_TRANSPORT: 'gmail', GMAIL_CLIENT_ID: 'id' })).toThrow(ConfigError);
    const c = loadDeliveryConfig({ MAIL_TRANSPORT: 'gmail', GMAIL_CLIENT_ID: 'i', GMAIL_CLIENT_SECRET: 's', GMAIL_REFRESH_TOKEN: 'r' });
    expect(c.gmail).toEqual({ clientId: 'i', clientSecret: 's', refreshToken: 'r' });
  });
  it('needs TRACKING_SECRET when tracking is on, and rejects bad numbers', () => {
    expect(() => loadDeliveryConfig({ TRACKING_ENABLED: 'true' })).toThrow(/TRACKING_SECRET/);
    expect(loadDeliveryConfig({ TRACKING_ENABLED: 'on', TRACKING_SECRET: 'k' }).tracking).toEqual({ enabled: true, secret: 'k' });
    expect(() => loadDeliveryConfig({ DIGEST_HOUR_UTC: '24' })).toThrow(/DIGEST_HOUR_UTC/);
    expect(() => loadDeliveryConfig({ RATE_PER_MINUTE: 'fast' })).toThrow(/RATE_PER_MINUTE/);
    expect(loadDeliveryConfig({ SITE_URL: 'https://x.example/' }).siteUrl).toBe('https://x.example');
  });
  it('links the site name to the site’s home (SITE_URL’s origin + Astro’s base), not to the integration’s prefix', () => {
    const c = loadDeliveryConfig({ SITE_URL: 'https://x.example/', SITE_BASE: '/journal', ROUTE_BASE: '/journal/newsletter' });
    expect(c.siteUrl).toBe('https://x.example/journal/newsletter');
    expect(c.homeUrl).toBe('https://x.example/journal/');
    expect(loadDeliveryConfig({ SITE_URL: 'https://x.example', ROUTE_BASE: '/newsletter' }).homeUrl).toBe('https://x.example/');
  });
  it('picks pacing defaults by the bulk transport unless RATE_PER_MINUTE / DAILY_CAP are set', () => {
    const ses = loadDeliveryConfig({ MAIL_TRANSPORT: 'ses', AWS_ACCESS_KEY_ID: 'AKIA1', AWS_SECRET_ACCESS_KEY: 's' });
    expect([ses.ratePerMinute, ses.dailyCap]).toEqual([840, 50_000]);
    const resend = loadDeliveryConfig({ MAIL_TRANSPORT: 'resend', RESEND_API_KEY: 're_1' });
    expect([resend.ratePerMinute, resend.dailyCap]).toEqual([600, 100]);
    const postmark = loadDeliveryConfig({ MAIL_TRANSPORT: 'postmark', POSTMARK_SERVER_TOKEN: 't' });
    expect([postmark.ratePerMinute, postmark.dailyCap]).toEqual([1_000, 0]);
    expect(loadDeliveryConfig({ MAIL_TRANSPORT: 'resend', RESEND_API_KEY: 're_1', DAILY_CAP: '0', RATE_PER_MINUTE: '7' })).toMatchObject({ ratePerMinute: 7, dailyCap: 0 });
  });
  it('names each missing provider secret, for the bulk and the transactional transport', () => {
    expect(() => loadDeliveryConfig({ MAIL_TRANSPORT: 'ses', AWS_ACCESS_KEY_ID: 'AKIA1' })).toThrow(/MAIL_TRANSPORT is "ses" but AWS_SECRET_ACCESS_KEY is not set/);
    expect(() => loadDeliveryConfig({ MAIL_TRANSPORT: 'postmark' })).toThrow(/POSTMARK_SERVER_TOKEN/);
    expect(() => loadDeliveryConfig({ MAIL_TRANSPORT_TRANSACTIONAL: 'resend' })).toThrow(/MAIL_TRANSPORT_TRANSACTIONAL is "resend" but RESEND_API_KEY/);
    expect(() => loadDeliveryConfig({ MAIL_TRANSPORT: 'mailgun' })).toThrow(/MAIL_TRANSPORT/);
    expect(() => loadDeliveryConfig({ MAIL_TRANSPORT: 'ses', AWS_ACCESS_KEY_ID: 'a', AWS_SECRET_ACCESS_KEY: 's', SES_REGION: 'moon' })).toThrow(/SES_REGION/);
  });
  it('reads each provider\'s settings, with the documented defaults', () => {
    const c = loadDeliveryConfig({
      MAIL_TRANSPORT: 'postmark',
      POSTMARK_SERVER_TOKEN: 'pm',
      MAIL_TRANSPORT_TRANSACTIONAL: 'ses',
      AWS_ACCESS_KEY_ID: 'AKIA1',
      AWS_SECRET_ACCESS_KEY: 'sk',
      SES_CONFIGURATION_SET: 'blog-events',
    });
    expect(c.transport).toBe('postmark');
    expect(c.transactionalTransport).toBe('ses');
    expect(c.postmark).toEqual({ serverToken: 'pm', messageStream: 'broadcast', transactionalStream: 'outbound' });
    expect(c.ses).toEqual({ accessKeyId: 'AKIA1', secretAccessKey: 'sk', region: 'us-east-1', configurationSet: 'blog-events' });
    expect(loadDeliveryConfig({}).transactionalTransport).toBe('dev');
  });
  it('parses MAIL_FROM with or without a display name', () => {
    expect(parseMailFrom('Plain Words <news@example.com>')).toEqual({ name: 'Plain Words', email: 'news@example.com' });
    expect(parseMailFrom('"Plain, Words" <news@example.com>')).toEqual({ name: 'Plain, Words', email: 'news@example.com' });
    expect(parseMailFrom('news@example.com')).toEqual({ email: 'news@example.com' });
    expect(() => parseMailFrom('not an address')).toThrow(/MAIL_FROM/);
  });
});
