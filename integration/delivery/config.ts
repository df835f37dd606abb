/**
 * Delivery configuration from settings (wrangler `vars`, `.dev.vars`, secrets). Validated
 * once with zod so a typo or a missing secret fails loudly, naming the variable, instead
 * of surfacing as a half-sent batch.
 */
import { z } from 'zod';

export const DEFAULT_RATE_PER_MINUTE = 150; // Gmail: 15,000 quota units/min ÷ 100 per send
export const DEFAULT_DAILY_CAP = 2_000; // Gmail Workspace daily sending limit

export const TRANSPORTS = ['dev', 'gmail', 'ses', 'postmark', 'resend', 'cloudflare'] as const;
export type TransportName = (typeof TRANSPORTS)[number];

/**
 * Pacing when RATE_PER_MINUTE / DAILY_CAP are not set: each provider's documented starting
 * limits (README "Choosing a transport"); 0 = none. SES also paces itself by GetAccount.
 */
export const PACING_DEFAULTS: Record<TransportName, { ratePerMinute: number; dailyCap: number }> = {
  dev: { ratePerMinute: DEFAULT_RATE_PER_MINUTE, dailyCap: DEFAULT_DAILY_CAP },
  gmail: { ratePerMinute: DEFAULT_RATE_PER_MINUTE, dailyCap: DEFAULT_DAILY_CAP },
  ses: { ratePerMinute: 14 * 60, dailyCap: 50_000 }, // a common starting production quota; the transport also paces by GetAccount
  postmark: { ratePerMinute: 1_000, dailyCap: 0 }, // no published send rate; billed per email
  resend: { ratePerMinute: 600, dailyCap: 100 }, // the free plan's 100 a day; paid plans set DAILY_CAP=0
  cloudflare: { ratePerMinute: 60, dailyCap: 1_000 }, // the daily quota starts low and grows with reputation
};
export const DEFAULT_SES_REGION = 'us-east-1';
export const DEFAULT_POSTMARK_STREAM = 'broadcast';
export const DEFAULT_POSTMARK_TRANSACTIONAL_STREAM = 'outbound';
export const DEFAULT_CLOUDFLARE_EMAIL_BINDING = 'EMAIL';
export const DEFAULT_DIGEST_HOUR_UTC = 8;
export const DEFAULT_DIGEST_WEEKDAY = 1; // Monday
export const DEFAULT_MAX_ATTEMPTS = 5;
/** A claim belongs to its run this long; longer than any run's time budget, so only a crashed run's claims expire. */
const DEFAULT_LEASE_SECONDS = 5 * 60;

export const DEFAULT_DELIVERY_QUEUE = 'notify-delivery';
export const DEFAULT_DEAD_LETTER_QUEUE = 'notify-delivery-dlq';

export type MailFrom = { email: string; name?: string };

export type DeliveryConfig = {
  siteUrl: string; // where the integration's routes live: SITE_URL + ROUTE_BASE, no trailing slash
  homeUrl: string; // the site's home page: SITE_URL's origin + SITE_BASE (Astro's base) + '/'
  siteName: string;
  from: MailFrom;
  /** Right-hand side of Message-IDs (the From domain). */
  messageIdDomain: string;
  postalAddress: string;
  /** Bulk mail (new content, digests). */
  transport: TransportName;
  /** Verification (and other transactional) mail; the bulk transport when not set. */
  transactionalTransport: TransportName;
  gmail?: { clientId: string; clientSecret: string; refreshToken: string };
  ses?: { accessKeyId: string; secretAccessKey: string; region: string; configurationSet?: string; endpoint?: string };
  postmark?: { serverToken: string; messageStream: string; transactionalStream: string; apiBase?: string };
  resend?: { apiKey: string; apiBase?: string };
  /** The `send_email` binding's name; bulk through it only when `bulk` (the author opted in). */
  cloudflare?: { binding: string; bulk: boolean };
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
const optionalInt = (min: number, max: number) => z.preprocess(emptyToUndefined, z.coerce.number().int().min(min).max(max).optional());
const boolSetting = z.preprocess(
  emptyToUndefined,
  z
    .union([z.boolean(), z.enum(['true', 'false', '1', '0', 'on', 'off', 'yes', 'no'])])
    .default(false)
    .transform((v) => v === true || v === 'true' || v === '1' || v === 'on' || v === 'yes'),
);

const settingsSchema = z.object({
  SITE_URL: z.preprocess(emptyToUndefined, z.string().url().default('http://localhost:4321')),
  // Astro's `base` alone, where the site's home is: the Worker sets it from the build, like ROUTE_BASE.
  SITE_BASE: z.preprocess(emptyToUndefined, z.string().regex(/^(\/[A-Za-z0-9._~-]+)*$/, 'must be empty or a path like /blog').default('')),
  // Astro's base + the integration's prefix: the Worker sets it from the build; `npm run notify` reads it from .dev.vars.
  ROUTE_BASE: z.preprocess(emptyToUndefined, z.string().regex(/^(\/[A-Za-z0-9._~-]+)*$/, 'must be empty or a path like /blog/newsletter').default('')),
  SITE_NAME: z.preprocess(emptyToUndefined, z.string().default('Plain Words')),
  MAIL_FROM: z.preprocess(emptyToUndefined, z.string().default('Plain Words <news@example.com>')),
  POSTAL_ADDRESS: z.preprocess(emptyToUndefined, z.string().default('Plain Words, 1 Example Street, 00000 Example City')),
  MAIL_TRANSPORT: z.preprocess(emptyToUndefined, z.enum(TRANSPORTS).default('dev')),
  MAIL_TRANSPORT_TRANSACTIONAL: z.preprocess(emptyToUndefined, z.enum(TRANSPORTS).optional()),
  AWS_ACCESS_KEY_ID: optionalString,
  AWS_SECRET_ACCESS_KEY: optionalString,
  SES_REGION: z.preprocess(emptyToUndefined, z.string().regex(/^[a-z]{2}(-[a-z]+)+-\d$/, 'must be an AWS region such as eu-west-1').default(DEFAULT_SES_REGION)),
  SES_CONFIGURATION_SET: optionalString,
  SES_ENDPOINT: z.preprocess(emptyToUndefined, z.string().url().optional()),
  POSTMARK_SERVER_TOKEN: optionalString,
  POSTMARK_MESSAGE_STREAM: z.preprocess(emptyToUndefined, z.string().default(DEFAULT_POSTMARK_STREAM)),
  POSTMARK_TRANSACTIONAL_STREAM: z.preprocess(emptyToUndefined, z.string().default(DEFAULT_POSTMARK_TRANSACTIONAL_STREAM)),
  POSTMARK_API_BASE: z.preprocess(emptyToUndefined, z.string().url().optional()),
  RESEND_API_KEY: optionalString,
  RESEND_API_BASE: z.preprocess(emptyToUndefined, z.string().url().optional()),
  CLOUDFLARE_EMAIL_BINDING: z.preprocess(emptyToUndefined, z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/).default(DEFAULT_CLOUDFLARE_EMAIL_BINDING)),
  CLOUDFLARE_EMAIL_BULK: boolSetting,
  GMAIL_CLIENT_ID: optionalString,
  GMAIL_CLIENT_SECRET: optionalString,
  GMAIL_REFRESH_TOKEN: optionalString,
  PROCESS_SECRET: optionalString,
  TRACKING_ENABLED: boolSetting,
  TRACKING_SECRET: optionalString,
  RATE_PER_MINUTE: optionalInt(0, 1_000_000),
  DAILY_CAP: optionalInt(0, 100_000_000),
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

  const transactional = s.MAIL_TRANSPORT_TRANSACTIONAL ?? s.MAIL_TRANSPORT;
  const used = new Set<TransportName>([s.MAIL_TRANSPORT, transactional]);
  const requireSecrets = (name: TransportName, names: string[]) => {
    const absent = missing(names);
    if (absent.length === 0) return;
    const variable = s.MAIL_TRANSPORT === name ? 'MAIL_TRANSPORT' : 'MAIL_TRANSPORT_TRANSACTIONAL';
    throw new ConfigError(`${variable} is "${name}" but ${absent.join(', ')} ${absent.length > 1 ? 'are' : 'is'} not set (wrangler secret put ${absent[0]})`);
  };

  let gmail: DeliveryConfig['gmail'];
  if (used.has('gmail')) {
    requireSecrets('gmail', ['GMAIL_CLIENT_ID', 'GMAIL_CLIENT_SECRET', 'GMAIL_REFRESH_TOKEN']);
    gmail = { clientId: s.GMAIL_CLIENT_ID!, clientSecret: s.GMAIL_CLIENT_SECRET!, refreshToken: s.GMAIL_REFRESH_TOKEN! };
  }
  let ses: DeliveryConfig['ses'];
  if (used.has('ses')) {
    requireSecrets('ses', ['AWS_ACCESS_KEY_ID', 'AWS_SECRET_ACCESS_KEY']);
    ses = {
      accessKeyId: s.AWS_ACCESS_KEY_ID!,
      secretAccessKey: s.AWS_SECRET_ACCESS_KEY!,
      region: s.SES_REGION,
      ...(s.SES_CONFIGURATION_SET ? { configurationSet: s.SES_CONFIGURATION_SET } : {}),
      ...(s.SES_ENDPOINT ? { endpoint: s.SES_ENDPOINT } : {}),
    };
  }
  let postmark: DeliveryConfig['postmark'];
  if (used.has('postmark')) {
    requireSecrets('postmark', ['POSTMARK_SERVER_TOKEN']);
    postmark = {
      serverToken: s.POSTMARK_SERVER_TOKEN!,
      messageStream: s.POSTMARK_MESSAGE_STREAM,
      transactionalStream: s.POSTMARK_TRANSACTIONAL_STREAM,
      ...(s.POSTMARK_API_BASE ? { apiBase: s.POSTMARK_API_BASE } : {}),
    };
  }
  let resend: DeliveryConfig['resend'];
  if (used.has('resend')) {
    requireSecrets('resend', ['RESEND_API_KEY']);
    resend = { apiKey: s.RESEND_API_KEY!, ...(s.RESEND_API_BASE ? { apiBase: s.RESEND_API_BASE } : {}) };
  }
  let cloudflare: DeliveryConfig['cloudflare'];
  if (used.has('cloudflare')) {
    // Cloudflare's FAQ: Email Service is for transactional mail. Bulk only on the author's word.
    if (s.MAIL_TRANSPORT === 'cloudflare' && !s.CLOUDFLARE_EMAIL_BULK) {
      throw new ConfigError(
        'MAIL_TRANSPORT is "cloudflare" but Cloudflare Email Service is for transactional mail: set MAIL_TRANSPORT_TRANSACTIONAL=cloudflare and another bulk transport, or opt in with CLOUDFLARE_EMAIL_BULK=true (README "Cloudflare Email Service")',
      );
    }
    cloudflare = { binding: s.CLOUDFLARE_EMAIL_BINDING, bulk: s.CLOUDFLARE_EMAIL_BULK };
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
    siteUrl: s.SITE_URL.replace(/\/+$/, '') + s.ROUTE_BASE,
    homeUrl: `${new URL(s.SITE_URL).origin}${s.SITE_BASE}/`,
    siteName: s.SITE_NAME,
    from,
    messageIdDomain: from.email.split('@')[1]!,
    postalAddress: s.POSTAL_ADDRESS,
    transport: s.MAIL_TRANSPORT,
    transactionalTransport: transactional,
    gmail,
    ses,
    postmark,
    resend,
    cloudflare,
    processSecret: s.PROCESS_SECRET,
    tracking: { enabled: s.TRACKING_ENABLED, secret: s.TRACKING_SECRET },
    ratePerMinute: s.RATE_PER_MINUTE ?? PACING_DEFAULTS[s.MAIL_TRANSPORT].ratePerMinute,
    dailyCap: s.DAILY_CAP ?? PACING_DEFAULTS[s.MAIL_TRANSPORT].dailyCap,
    digestHourUtc: s.DIGEST_HOUR_UTC,
    digestWeekday: s.DIGEST_WEEKDAY,
    maxAttempts: s.MAX_ATTEMPTS,
    leaseSeconds: DEFAULT_LEASE_SECONDS,
    deliveryMode: s.DELIVERY_MODE,
    deliveryQueue: s.DELIVERY_QUEUE_NAME,
    deadLetterQueue: s.DELIVERY_DLQ_NAME,
  };
}
