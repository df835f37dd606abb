import { describe, expect, it } from 'vitest';
import type { FieldErrors } from './http';
import { cleanToken, parseBoolean, parseContentTypes, parseEmail, parseFrequency, parseNewPassword } from './validation';

describe('validation', () => {
  it('normalizes emails and explains bad ones', () => {
    const errors: FieldErrors = {};
    expect(parseEmail('  Reader@Example.COM ', errors)).toBe('reader@example.com');
    expect(errors).toEqual({});
    for (const bad of ['', '   ', 'no-at-sign', 'a@b', 'a b@example.com', `${'x'.repeat(250)}@example.com`, 42, undefined]) {
      const e: FieldErrors = {};
      parseEmail(bad, e);
      expect(e.email, String(bad)).toBeTruthy();
    }
  });

  it('accepts known content types only, and requires one when subscribing', () => {
    const ok: FieldErrors = {};
    expect(parseContentTypes(['blog', 'thought', 'blog'], ok, { requireOne: true })).toEqual(['blog', 'thought']);
    expect(ok).toEqual({});
    const unknown: FieldErrors = {};
    parseContentTypes(['blog', 'podcast'], unknown, { requireOne: true });
    expect(unknown.contentTypes).toMatch(/podcast/);
    const none: FieldErrors = {};
    parseContentTypes([], none, { requireOne: true });
    expect(none.contentTypes).toMatch(/at least one/);
    const noneAllowed: FieldErrors = {};
    expect(parseContentTypes(undefined, noneAllowed, { requireOne: false })).toEqual([]);
    expect(noneAllowed).toEqual({});
  });

  it('accepts the three frequencies only', () => {
    for (const f of ['immediate', 'daily', 'weekly']) {
      const e: FieldErrors = {};
      expect(parseFrequency(f, e)).toBe(f);
      expect(e).toEqual({});
    }
    for (const bad of ['hourly', '', undefined, 3]) {
      const e: FieldErrors = {};
      parseFrequency(bad, e);
      expect(e.frequency).toBeTruthy();
    }
  });

  it('bounds passwords', () => {
    const short: FieldErrors = {};
    parseNewPassword('short', short);
    expect(short.password).toMatch(/at least 8/);
    const long: FieldErrors = {};
    parseNewPassword('x'.repeat(257), long);
    expect(long.password).toMatch(/at most 256/);
  });

  it('cleans tokens: base64url of sane length or nothing', () => {
    expect(cleanToken('abc_DEF-123')).toBe('abc_DEF-123');
    expect(cleanToken("x' OR 1=1")).toBeNull();
    expect(cleanToken('x'.repeat(129))).toBeNull();
    expect(cleanToken(undefined)).toBeNull();
  });

  it('reads checkbox and JSON booleans', () => {
    const e: FieldErrors = {};
    expect(parseBoolean('on', e, 'x')).toBe(true);
    expect(parseBoolean(true, e, 'x')).toBe(true);
    expect(parseBoolean(undefined, e, 'x')).toBe(false);
    expect(e).toEqual({});
    parseBoolean('maybe', e, 'x');
    expect(e.x).toBeTruthy();
  });
});
