/**
 * The building blocks of the one settings schema (config.ts): how a variable is read (an empty
 * string is unset), and the error that names a bad or missing variable. Providers declare their
 * own variables with these (providers/<name>/index.ts); config.ts merges them into one schema.
 */
import { z } from 'zod';
import { isLoopbackHost } from '../loopback';

export class ConfigError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ConfigError';
  }
}

const emptyToUndefined = (v: unknown) => (typeof v === 'string' && v.trim() === '' ? undefined : v);

export const optionalString = z.preprocess(emptyToUndefined, z.string().optional());
export const optionalUrl = z.preprocess(emptyToUndefined, z.string().url().optional());
export const stringSetting = (fallback: string) => z.preprocess(emptyToUndefined, z.string().default(fallback));
export const patternSetting = (pattern: RegExp, message: string) => z.preprocess(emptyToUndefined, z.string().regex(pattern, message).optional());
export const intSetting = (fallback: number, min: number, max: number) =>
  z.preprocess(emptyToUndefined, z.coerce.number().int().min(min).max(max).default(fallback));
export const optionalInt = (min: number, max: number) => z.preprocess(emptyToUndefined, z.coerce.number().int().min(min).max(max).optional());
export const enumSetting = <T extends readonly [string, ...string[]]>(values: T) => z.preprocess(emptyToUndefined, z.enum(values).optional());
export const boolSetting = z.preprocess(
  emptyToUndefined,
  z
    .union([z.boolean(), z.enum(['true', 'false', '1', '0', 'on', 'off', 'yes', 'no'])])
    .default(false)
    .transform((v) => v === true || v === 'true' || v === '1' || v === 'on' || v === 'yes'),
);

export type SettingsShape = Record<string, z.ZodTypeAny>;
/** Parsed settings: each variable's value after its schema (defaults applied). */
export type Settings = Record<string, unknown>;

/** A loopback SITE_URL: where the demo's defaults and the dev capture may run (never on a public site); integration/loopback.ts decides. */
export function isLoopbackSiteUrl(value: unknown): boolean {
  if (typeof value !== 'string') return false;
  try {
    return isLoopbackHost(new URL(value).hostname);
  } catch {
    return false;
  }
}
