/**
 * Delivery configuration from settings (wrangler `vars`, `.dev.vars`, secrets). Validated
 * once with zod so a typo or a missing secret fails loudly, naming the variable, instead
 * of surfacing as a half-sent batch.
 */
import { z } from 'zod';

export const DEFAULT_RATE_PER_MINUTE = 150; // Gmail: 15,000 quota units/min ÷ 100 per send
export const DEFAULT_DAILY_CAP = 2_000; // Gmail Workspace daily sending limit
export const DEFAULT_DIGEST_HOUR_UTC = 8;
export const DEFAULT_DIGEST_WEEKDAY = 1; // Monday
export const DEFAULT_MAX_ATTEMPTS = 5;
/** A claim belongs to its run this long; longer than any run's time budget, so only a crashed run's claims expire. */
export const DEFAULT_LEASE_SECONDS = 5 * 60;

export const DEFAULT_DELIVERY_QUEUE = 'notify-delivery';
export const DEFAULT_DEAD_LETTER_QUEUE = 'notify-delivery-dlq';

export type MailFrom = { email: string; name?: string };

export type DeliveryConfig = {
  siteUrl: string; // no trailing slash
  siteName: string;
  from: MailFrom;
  /** Right-hand side of Message-IDs (the From domain). */
  messageIdDomain: string;
  postalAddress: string;
  transport: 'dev' | 'gmail';
  gmail?: { clientId: string; clientSecret: string; refreshToken: string };
  processSecret?: string;
  tracking: { enabled: boolean; secret?: string };
  /** Emails per minute; 0 = no limit. */
  ratePerMinute: number;
  /** Emails per UTC day; 0 = no limit. */
  dailyCap: number;
  digestHourUtc: number;
  digestWeekday: number;
  maxAttempts: number;
  leaseSeconds: number;
  /** Who sends: the Cron Trigger itself (`cron`), or queue consumers the cron run dispatches to (`queue`; README "Delivery at scale"). */
  deliveryMode: 'cron' | 'queue';
  /** Queue names (wrangler `queues`): the queue handler tells deliveries from dead letters by them. */
  deliveryQueue: string;
  deadLetterQueue: string;
};

/** `Plain Words <news@example.com>` or `news@example.com`. */
export function parseMailFrom(value: string): MailFrom {
  const match = /^\s*(?:"?([^"<]*?)"?\s*)?<([^<>\s]+@[^<>\s]+)>\s*$/.exec(value);
  if (match) return match[1] ? { email: match[2]!, name: match[1] } : { email: match[2]! };
  const bare = value.trim();
  if (/^[^\s<>@]+@[^\s<>@]+$/.test(bare)) return { email: bare };
  throw new Error(`MAIL_FROM must be "Name <address>" or an address, got ${JSON.stringify(value)}`);
}

const emptyToUndefined = (v: unknown) => (typeof v === 'string' && v.trim() === '' ? undefined : v);
const optionalString = z.preprocess(emptyToUndefined, z.string().optional());
const intSetting = (fallback: number, min: number, max: number) =>
  z.preprocess(emptyToUndefined, z.coerce.number().int().min(min).max(max).default(fallback));
const boolSetting = z.preprocess(
  emptyToUndefined,
  z
    .union([z.boolean(), z.enum(['true', 'false', '1', '0', 'on', 'off', 'yes', 'no'])])
    .default(false)
    .transform((v) => v === true || v === 'true' || v === '1' || v === 'on' || v === 'yes'),
);

const settingsSchema = z.object({
  SITE_URL: z.preprocess(emptyToUndefined, z.string().url().default('http://localhost:4321')),
  SITE_NAME: z.preprocess(emptyToUndefined, z.string().default('Plain Words')),
  MAIL_FROM: z.preprocess(emptyToUndefined, z.string().default('Plain Words <news@example.com>')),
  POSTAL_ADDRESS: z.preprocess(emptyToUndefined, z.string().default('Plain Words, 1 Example Street, 00000 Example City')),
  MAIL_TRANSPORT: z.preprocess(emptyToUndefined, z.enum(['dev', 'gmail']).default('dev')),
  GMAIL_CLIENT_ID: optionalString,
  GMAIL_CLIENT_SECRET: optionalString,
  GMAIL_REFRESH_TOKEN: optionalString,
  PROCESS_SECRET: optionalString,
  TRACKING_ENABLED: boolSetting,
  TRACKING_SECRET: optionalString,
  RATE_PER_MINUTE: intSetting(DEFAULT_RATE_PER_MINUTE, 0, 1_000_000),
  DAILY_CAP: intSetting(DEFAULT_DAILY_CAP, 0, 100_000_000),
  DIGEST_HOUR_UTC: intSetting(DEFAULT_DIGEST_HOUR_UTC, 0, 23),
  DIGEST_WEEKDAY: intSetting(DEFAULT_DIGEST_WEEKDAY, 0, 6),
  MAX_ATTEMPTS: intSetting(DEFAULT_MAX_ATTEMPTS, 1, 50),
  DELIVERY_MODE: z.preprocess(emptyToUndefined, z.enum(['cron', 'queue']).default('cron')),
  DELIVERY_QUEUE_NAME: z.preprocess(emptyToUndefined, z.string().default(DEFAULT_DELIVERY_QUEUE)),
  DELIVERY_DLQ_NAME: z.preprocess(emptyToUndefined, z.string().default(DEFAULT_DEAD_LETTER_QUEUE)),
});

export class ConfigError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ConfigError';
  }
}

/** Reads and checks every delivery setting; throws a ConfigError naming each bad or missing variable. */
export function loadDeliveryConfig(env: Record<string, unknown>): DeliveryConfig {
  const parsed = settingsSchema.safeParse(env);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ');
    throw new ConfigError(`Invalid delivery settings: ${problems}`);
  }
  const s = parsed.data;
  const missing = (names: string[]) => names.filter((n) => !(s as Record<string, unknown>)[n]);

  let gmail: DeliveryConfig['gmail'];
  if (s.MAIL_TRANSPORT === 'gmail') {
    const absent = missing(['GMAIL_CLIENT_ID', 'GMAIL_CLIENT_SECRET', 'GMAIL_REFRESH_TOKEN']);
    if (absent.length > 0) {
      throw new ConfigError(`MAIL_TRANSPORT is "gmail" but ${absent.join(', ')} ${absent.length > 1 ? 'are' : 'is'} not set (wrangler secret put ${absent[0]})`);
    }
    gmail = { clientId: s.GMAIL_CLIENT_ID!, clientSecret: s.GMAIL_CLIENT_SECRET!, refreshToken: s.GMAIL_REFRESH_TOKEN! };
  }
  if (s.TRACKING_ENABLED && !s.TRACKING_SECRET) {
    throw new ConfigError('TRACKING_ENABLED is on but TRACKING_SECRET is not set (it signs the tracking links)');
  }

  let from: MailFrom;
  try {
    from = parseMailFrom(s.MAIL_FROM);
  } catch (error) {
    throw new ConfigError((error as Error).message);
  }
  return {
    siteUrl: s.SITE_URL.replace(/\/+$/, ''),
    siteName: s.SITE_NAME,
    from,
    messageIdDomain: from.email.split('@')[1]!,
    postalAddress: s.POSTAL_ADDRESS,
    transport: s.MAIL_TRANSPORT,
    gmail,
    processSecret: s.PROCESS_SECRET,
    tracking: { enabled: s.TRACKING_ENABLED, secret: s.TRACKING_SECRET },
    ratePerMinute: s.RATE_PER_MINUTE,
    dailyCap: s.DAILY_CAP,
    digestHourUtc: s.DIGEST_HOUR_UTC,
    digestWeekday: s.DIGEST_WEEKDAY,
    maxAttempts: s.MAX_ATTEMPTS,
    leaseSeconds: DEFAULT_LEASE_SECONDS,
    deliveryMode: s.DELIVERY_MODE,
    deliveryQueue: s.DELIVERY_QUEUE_NAME,
    deadLetterQueue: s.DELIVERY_DLQ_NAME,
  };
}
