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
  it('parses MAIL_FROM with or without a display name', () => {
    expect(parseMailFrom('Plain Words <news@example.com>')).toEqual({ name: 'Plain Words', email: 'news@example.com' });
    expect(parseMailFrom('"Plain, Words" <news@example.com>')).toEqual({ name: 'Plain, Words', email: 'news@example.com' });
    expect(parseMailFrom('news@example.com')).toEqual({ email: 'news@example.com' });
    expect(() => parseMailFrom('not an address')).toThrow(/MAIL_FROM/);
  });
});
