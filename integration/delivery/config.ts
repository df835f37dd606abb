/**
 * Every setting (wrangler `vars`, `.dev.vars`, secrets) is read through one schema: the base
 * variables below plus each provider's own (providers/<name>/index.ts), one default per name.
 * Outside a loopback SITE_URL nothing of the demo is assumed: a missing site name, sender,
 * postal address or transport stops sending with one message that names the variable.
 */
import type { MessageOverrides } from '../i18n';
import { z } from 'zod';
import { DEFAULT_DIGEST_SLOT } from '../../db/delivery/digest-schedule';
import { provider, PROVIDERS, TRANSPORT_NAMES } from './providers/registry';
import type { Role } from './providers/types';
import {
  boolSetting,
  ConfigError,
  enumSetting,
  intSetting,
  isLoopbackSiteUrl,
  optionalInt,
  optionalString,
  optionalUrl,
  stringSetting,
  type Settings,
  type SettingsShape,
} from './settings-schema';

export { ConfigError, isLoopbackSiteUrl, type Settings };

/** One of the registry's provider names (providers/registry.ts TRANSPORT_NAMES). */
export type TransportName = string;

export const DEFAULT_DIGEST_HOUR_UTC = DEFAULT_DIGEST_SLOT.hourUtc;
export const DEFAULT_DIGEST_WEEKDAY = DEFAULT_DIGEST_SLOT.weeklyDay;
export const DEFAULT_MAX_ATTEMPTS = 5;
/** A claim belongs to its run this long; longer than any run's time budget, so only a crashed run's claims expire. */
const DEFAULT_LEASE_SECONDS = 5 * 60;
export const DEFAULT_DELIVERY_QUEUE = 'notify-delivery';
export const DEFAULT_DEAD_LETTER_QUEUE = 'notify-delivery-dlq';

/** What a loopback SITE_URL (a local preview, the tests' sites) may leave unset. Never the demo's identity. */
export const LOOPBACK_DEFAULTS: Readonly<Record<string, string>> = {
  MAIL_TRANSPORT: 'dev',
  SITE_NAME: 'Local preview',
  MAIL_FROM: 'Local preview <preview@localhost.test>',
  POSTAL_ADDRESS: 'No postal address: a local preview',
};

/** Sending stops without these (outside a loopback SITE_URL, where LOOPBACK_DEFAULTS fill the last four). */
export const REQUIRED_SETTINGS = ['SITE_URL', 'SITE_NAME', 'MAIL_FROM', 'POSTAL_ADDRESS', 'MAIL_TRANSPORT'] as const;

const BASE_SETTINGS: SettingsShape = {
  SITE_URL: optionalUrl,
  // Astro's `base` alone, where the site's home is: the Worker sets it from the build, like ROUTE_BASE.
  SITE_BASE: z.preprocess((v) => (v === undefined || v === null ? '' : v), z.string().regex(/^(\/[A-Za-z0-9._~-]+)*$/, 'must be empty or a path like /blog')),
  // Astro's base + the integration's prefix: the Worker sets it from the build; `npx astro-d1-notify notify` reads it from .dev.vars.
  ROUTE_BASE: z.preprocess(
    (v) => (v === undefined || v === null ? '' : v),
    z.string().regex(/^(\/[A-Za-z0-9._~-]+)*$/, 'must be empty or a path like /blog/newsletter'),
  ),
  SITE_NAME: optionalString,
  MAIL_FROM: optionalString,
  // Where readers' replies go (`Name <address>` or an address); unset: to MAIL_FROM.
  MAIL_REPLY_TO: optionalString,
  POSTAL_ADDRESS: optionalString,
  MAIL_TRANSPORT: enumSetting(TRANSPORT_NAMES),
  MAIL_TRANSPORT_TRANSACTIONAL: enumSetting(TRANSPORT_NAMES),
  PROCESS_SECRET: optionalString,
  TRACKING_ENABLED: boolSetting,
  TRACKING_SECRET: optionalString,
  RATE_PER_MINUTE: optionalInt(0, 1_000_000),
  DAILY_CAP: optionalInt(0, 100_000_000),
  DIGEST_HOUR_UTC: intSetting(DEFAULT_DIGEST_HOUR_UTC, 0, 23),
  DIGEST_WEEKDAY: intSetting(DEFAULT_DIGEST_WEEKDAY, 0, 6),
  MAX_ATTEMPTS: intSetting(DEFAULT_MAX_ATTEMPTS, 1, 50),
  DELIVERY_MODE: stringSetting('cron').pipe(z.enum(['cron', 'queue'])),
  DELIVERY_QUEUE_NAME: stringSetting(DEFAULT_DELIVERY_QUEUE),
  DELIVERY_DLQ_NAME: stringSetting(DEFAULT_DEAD_LETTER_QUEUE),
  // Read by the reader pages and the console (runtime.ts `setting`), declared here all the same.
  TURNSTILE_SITE_KEY: optionalString,
  TURNSTILE_SECRET_KEY: optionalString,
  TURNSTILE_VERIFY_URL: optionalUrl,
  ACCESS_TEAM_DOMAIN: optionalString,
  ACCESS_AUD: optionalString,
  ACCESS_JWKS_URL: optionalUrl,
  ADMIN_DEV_BYPASS: optionalString,
};

/** The one schema: base variables and every provider's. */
export const SETTINGS_SHAPE: SettingsShape = Object.assign({}, BASE_SETTINGS, ...PROVIDERS.map((p) => p.settings));
const settingsSchema = z.object(SETTINGS_SHAPE);

const withLoopbackDefaults = (s: Settings): Settings => {
  if (!isLoopbackSiteUrl(s.SITE_URL)) return s;
  const out = { ...s };
  for (const [name, value] of Object.entries(LOOPBACK_DEFAULTS)) out[name] ??= value;
  return out;
};

/** Every setting, parsed; a bad value throws a ConfigError naming each variable. Missing required ones are loadDeliveryConfig's to name. */
export function readSettings(env: Record<string, unknown>): Settings {
  const parsed = settingsSchema.safeParse(env);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ');
    throw new ConfigError(`Invalid delivery settings: ${problems}`);
  }
  return withLoopbackDefaults(parsed.data as Settings);
}

/**
 * One setting through its schema entry (runtime.ts `setting`): its parsed value, the loopback
 * default, or undefined when unset or invalid (readSettings names invalid ones). An unknown name
 * is a programming error.
 */
export function readSetting(env: Record<string, unknown>, name: string): unknown {
  const field = SETTINGS_SHAPE[name];
  if (!field) throw new Error(`Unknown setting ${name}: declare it in integration/delivery/config.ts or its provider's index.ts`);
  const parsed = field.safeParse(env[name]);
  const value = parsed.success ? parsed.data : undefined;
  if (value !== undefined || !(name in LOOPBACK_DEFAULTS)) return value;
  const site = SETTINGS_SHAPE.SITE_URL!.safeParse(env.SITE_URL);
  return site.success && isLoopbackSiteUrl(site.data) ? LOOPBACK_DEFAULTS[name] : undefined;
}

/** Only the named settings, each through readSetting: a bad value elsewhere cannot break a webhook or a tracking link. */
export const readSettingsNamed = (env: Record<string, unknown>, names: readonly string[]): Settings =>
  Object.fromEntries(names.map((name) => [name, readSetting(env, name)]));

export type MailFrom = { email: string; name?: string };

export type DeliveryConfig = {
  /** The readers' languages and the host's wording (integration/i18n); English only unless the build says otherwise. */
  locales?: { defaultLocale: string; locales: readonly string[]; messages: MessageOverrides };
  siteUrl: string; // where the integration's routes live: SITE_URL + ROUTE_BASE, no trailing slash
  homeUrl: string; // the site's home page: SITE_URL's origin + SITE_BASE (Astro's base) + '/'
  siteName: string;
  from: MailFrom;
  /** Reply-To of content emails and digests (MAIL_REPLY_TO). */
  replyTo?: MailFrom;
  /** Right-hand side of Message-IDs (the From domain). */
  messageIdDomain: string;
  postalAddress: string;
  /** Bulk mail (new content, digests). */
  transport: TransportName;
  /** Verification (and other transactional) mail; the bulk transport when not set. */
  transactionalTransport: TransportName;
  /** Every setting as parsed: what the providers' transports are built from. */
  settings: Settings;
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
  /** Who sends: the Cron Trigger itself (`cron`), or queue consumers the cron run dispatches to (`queue`; docs/delivery.md "Delivery at scale"). */
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

/** The one message for missing required settings: every variable named, and what to do. */
function missingRequired(s: Settings): string | undefined {
  const missing = REQUIRED_SETTINGS.filter((name) => s[name] === undefined);
  if (missing.length === 0) return undefined;
  const list = missing.join(', ');
  const plural = missing.length > 1;
  return (
    `Sending is stopped: ${list} ${plural ? 'are' : 'is'} not set. ` +
    `Outside a loopback SITE_URL there are no defaults: set ${plural ? 'them' : 'it'} in wrangler.jsonc "vars" (README "Variables")`
  );
}

/** Reads and checks every delivery setting; throws one ConfigError naming each bad or missing variable. */
export function loadDeliveryConfig(env: Record<string, unknown>): DeliveryConfig {
  const s = readSettings(env);
  const missing = missingRequired(s);
  if (missing) throw new ConfigError(missing);

  const bulk = s.MAIL_TRANSPORT as string;
  const transactional = (s.MAIL_TRANSPORT_TRANSACTIONAL as string | undefined) ?? bulk;
  const roles = new Map<string, Set<Role>>();
  for (const [name, role] of [
    [bulk, 'bulk'],
    [transactional, 'transactional'],
  ] as const)
    roles.set(name, (roles.get(name) ?? new Set<Role>()).add(role));
  for (const [name, used] of roles) {
    const p = provider(name)!;
    const absent = p.required.filter((n) => s[n] === undefined);
    if (absent.length > 0) {
      const variable = bulk === name ? 'MAIL_TRANSPORT' : 'MAIL_TRANSPORT_TRANSACTIONAL';
      throw new ConfigError(`${variable} is "${name}" but ${absent.join(', ')} ${absent.length > 1 ? 'are' : 'is'} not set (wrangler secret put ${absent[0]})`);
    }
    const problem = p.check?.(s, used);
    if (problem) throw new ConfigError(problem);
  }
  if (s.TRACKING_ENABLED && !s.TRACKING_SECRET) {
    throw new ConfigError('TRACKING_ENABLED is on but TRACKING_SECRET is not set (it signs the tracking links)');
  }

  let from: MailFrom;
  try {
    from = parseMailFrom(s.MAIL_FROM as string);
  } catch (error) {
    throw new ConfigError((error as Error).message);
  }
  let replyTo: MailFrom | undefined;
  if (s.MAIL_REPLY_TO !== undefined) {
    try {
      replyTo = parseMailFrom(s.MAIL_REPLY_TO as string);
    } catch {
      throw new ConfigError(`MAIL_REPLY_TO must be "Name <address>" or an address, got ${JSON.stringify(s.MAIL_REPLY_TO)}`);
    }
  }
  const pacing = provider(bulk)!.pacing;
  return {
    siteUrl: (s.SITE_URL as string).replace(/\/+$/, '') + (s.ROUTE_BASE as string),
    homeUrl: `${new URL(s.SITE_URL as string).origin}${s.SITE_BASE as string}/`,
    siteName: s.SITE_NAME as string,
    from,
    ...(replyTo ? { replyTo } : {}),
    messageIdDomain: from.email.split('@')[1]!,
    postalAddress: s.POSTAL_ADDRESS as string,
    transport: bulk,
    transactionalTransport: transactional,
    settings: s,
    processSecret: s.PROCESS_SECRET as string | undefined,
    tracking: { enabled: s.TRACKING_ENABLED as boolean, secret: s.TRACKING_SECRET as string | undefined },
    ratePerMinute: (s.RATE_PER_MINUTE as number | undefined) ?? pacing.ratePerMinute,
    dailyCap: (s.DAILY_CAP as number | undefined) ?? pacing.dailyCap,
    digestHourUtc: s.DIGEST_HOUR_UTC as number,
    digestWeekday: s.DIGEST_WEEKDAY as number,
    maxAttempts: s.MAX_ATTEMPTS as number,
    leaseSeconds: DEFAULT_LEASE_SECONDS,
    deliveryMode: s.DELIVERY_MODE as 'cron' | 'queue',
    deliveryQueue: s.DELIVERY_QUEUE_NAME as string,
    deadLetterQueue: s.DELIVERY_DLQ_NAME as string,
  };
}

/** Why sending is stopped by the settings, or undefined: for the console's overview. */
export function deliveryConfigProblem(env: Record<string, unknown>): string | undefined {
  try {
    loadDeliveryConfig(env);
    return undefined;
  } catch (error) {
    if (error instanceof ConfigError) return error.message;
    throw error;
  }
}
