/**
 * Defect 6: one address rule for every entry point, equal to what the MIME builder sends;
 * invalid UTF-8 refused at the body layer; NFC and NFD spellings are one reader.
 */
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { users } from '../db/schema';
import { buildMessage } from '../integration/delivery/mime';
import { readForm, readJson } from '../integration/server/forms';
import type { FieldErrors } from '../integration/server/http';
import { handleSubscribeApi, handleSubscribeForm } from '../integration/server/reader/subscribe';
import { parseEmail } from '../integration/server/validation';
import { parseImportCsv } from '../integration/server/admin/import-export';
import { createUser } from '../db/readers/users';
import { createTestD1, type TestD1 } from './helpers/d1';
import { fakeDeps, formRequest, jsonRequest, SITE } from './helpers/reader';

let t: TestD1;
beforeAll(async () => {
  t = await createTestD1();
});
afterAll(async () => t?.dispose());

const mailerAccepts = (email: string): boolean => {
  try {
    buildMessage({
      from: { email: 'news@example.com' },
      to: { email },
      subject: 's',
      html: '<p>h</p>',
      text: 't',
      messageId: 'id@example.com',
      date: new Date(0),
      listUnsubscribeUrl: 'https://example.com/u',
      listId: 'l.example.com',
    });
    return true;
  } catch {
    return false;
  }
};
const validatorAccepts = (raw: string): { ok: boolean; email: string } => {
  const errors: FieldErrors = {};
  const email = parseEmail(raw, errors);
  return { ok: !errors.email, email };
};

const HOSTILE = [
  'a<b@example.com',
  'a>b@example.com',
  '"a"@example.com',
  'a\'b@example.com"',
  'a\u0000b@example.com',
  'a\u0007@example.com',
  'a@example.com\u0000',
  'a\u007f@example.com',
  'a\u0085@example.com',
  'a\u202e@example.com',
  'a\u200b@example.com',
  'a\uFFFD@example.com',
  'a,b@example.com',
  'a;b@example.com',
  'a:b@example.com',
  'a(b)@example.com',
  'a\\b@example.com',
  'a@[127.0.0.1]',
  'a b@example.com',
  'a\tb@example.com',
  'a@b',
  'a@@example.com',
  '<a@example.com>',
  `${'x'.repeat(65)}@example.com`,
];

describe('one address rule (forms, JSON, mailer)', () => {
  it('refuses angle brackets, quotes, NUL, control and invisible characters in the validator and the mailer alike', () => {
    for (const bad of HOSTILE) {
      expect(validatorAccepts(bad).ok, JSON.stringify(bad)).toBe(false);
      expect(mailerAccepts(bad.trim().toLowerCase()), JSON.stringify(bad)).toBe(false);
    }
    for (const good of ['reader@example.com', 'first.last+tag@mail.example.org', 'jürgen@exämple.de', '用户@例子.广告']) {
      expect(validatorAccepts(good).ok, good).toBe(true);
      expect(mailerAccepts(good), good).toBe(true);
    }
  });

  it('accepts exactly what the mailer can send (property over arbitrary strings around an @)', () => {
    const part = fc.string({
      unit: fc.oneof(
        fc.constantFrom('a', 'é', '.', '<', '"', '\u0000', '\r', ' ', '\u202e', '@', ',', '\uFFFD'),
        fc.string({ minLength: 1, maxLength: 1, unit: 'binary' }),
      ),
      maxLength: 12,
    });
    // Half the cases are shaped like real addresses, so both sides also accept: the property is never vacuous.
    const word = fc.stringMatching(/^[a-z0-9é]{1,10}$/);
    const local = fc.oneof(part, word);
    const domain = fc.oneof(
      part,
      fc.tuple(word, fc.constantFrom('com', 'org', 'de', 'example')).map(([label, tld]) => `${label}.${tld}`),
    );
    let accepted = 0;
    fc.assert(
      fc.property(local, domain, (local, domain) => {
        const { ok, email } = validatorAccepts(`${local}@${domain}`);
        if (ok) accepted += 1;
        if (ok) expect(mailerAccepts(email)).toBe(true);
        // And the other way: what the mailer sends, the validator takes unchanged.
        if (mailerAccepts(email)) expect(validatorAccepts(email)).toEqual({ ok: true, email });
      }),
      { numRuns: 2000 },
    );
    expect(accepted).toBeGreaterThan(200);
  });

  it('normalises to NFC before lower-casing: NFC and NFD spellings are one reader', async () => {
    const nfc = 'Zoë@Example.com'.normalize('NFC');
    const nfd = 'ZOË@example.COM'.normalize('NFD');
    expect(nfc).not.toBe(nfd.toLowerCase());
    expect(validatorAccepts(nfd).email).toBe(validatorAccepts(nfc).email);
    const deps = fakeDeps();
    await handleSubscribeApi(t.db, jsonRequest('/api/subscribe', { email: nfc, contentTypes: ['blog'], frequency: 'daily' }), deps);
    await handleSubscribeForm(
      t.db,
      formRequest('/subscribe', { email: nfd, contentTypes: ['blog'], frequency: 'daily' }, { 'cf-connecting-ip': '203.0.113.99' }),
      deps,
    );
    const rows = (await t.db.select({ email: users.email }).from(users)).filter((r) => r.email.startsWith('zo'));
    expect(rows).toEqual([{ email: 'zoë@example.com'.normalize('NFC') }]);
    expect(deps.sent.map((s) => s.email)).toEqual(['zoë@example.com', 'zoë@example.com']);
  });

  it('answers 400 to a hostile address on the form and the JSON route, and stores nothing', async () => {
    const before = (await t.db.select().from(users)).length;
    for (const bad of ['a<b@example.com', 'a"b@example.com', 'a\u0000b@example.com', 'x@example.com\u0001']) {
      const form = await handleSubscribeForm(t.db, formRequest('/subscribe', { email: bad, contentTypes: ['blog'], frequency: 'daily' }), fakeDeps());
      expect(form.type === 'render' && form.status).toBe(400);
      const api = await handleSubscribeApi(t.db, jsonRequest('/api/subscribe', { email: bad, contentTypes: ['blog'], frequency: 'daily' }), fakeDeps());
      expect(api.status).toBe(400);
    }
    expect((await t.db.select().from(users)).length).toBe(before);
  });
});

// What the round-three probe got stored (through the import) or accepted (through the forms).
const NOT_A_MAILBOX = [
  'x@127.0.0.1',
  'x@10.0.0.1',
  'x@0x7f.1',
  'x@example.123',
  'x@example.c',
  `x@${'a'.repeat(64)}.example.com`,
  'x@-a.example.com',
  'x@a-.example.com',
  'x@a_b.example.com',
  'x@xn--.example.com',
  'x@example.xn--',
  '.x@example.com',
  'x.@example.com',
  'x..y@example.com',
  '\u0301@example.com',
  'a\uFFFD@example.com',
  'a\u200b@example.com',
  'a\u202e@example.com',
  'a\u0085@example.com',
  'a<b@example.com',
  'a>b@example.com',
  'a"b@example.com',
  'a,b@example.com',
  'a;b@example.com',
  'a:b@example.com',
  'a(b)@example.com',
  'a[b]@example.com',
  'a\\b@example.com',
  `${'x'.repeat(65)}@example.com`,
  `${'é'.repeat(33)}@example.com`,
  'x@\uff45\uff58\uff41\uff4d\uff50\uff4c\uff45.com',
  'x@example\uff0ecom',
];

describe('one rule for every entry point (forms, import, createUser, mailer)', () => {
  it('refuses IP literals, digit or one-letter TLDs, bad labels and bad local parts everywhere', async () => {
    const csv = `email\n${NOT_A_MAILBOX.map((e) => `"${e.replace(/"/g, '""')}"`).join('\n')}\n`;
    const parsed = parseImportCsv(csv);
    expect(parsed.ok && parsed.rows.map((r) => r.email)).toEqual([]);
    for (const bad of NOT_A_MAILBOX) {
      expect(validatorAccepts(bad).ok, JSON.stringify(bad)).toBe(false);
      expect(mailerAccepts(bad), JSON.stringify(bad)).toBe(false);
      await expect(createUser(t.db, { email: bad }), JSON.stringify(bad)).rejects.toThrow(/Invalid email/);
    }
  });

  it('the import normalises as the forms do (trim, NFC, lower case)', () => {
    const parsed = parseImportCsv(`email\n"  ${'ZOË@Example.COM'.normalize('NFD')} "\n`);
    expect(parsed.ok && parsed.rows.map((r) => r.email)).toEqual([validatorAccepts('zoë@example.com').email]);
  });
});

describe('invalid UTF-8 is refused where bodies are parsed, never turned into U+FFFD', () => {
  const raw = (type: string, bytes: Uint8Array<ArrayBuffer>) =>
    new Request(`${SITE}/subscribe`, { method: 'POST', headers: { 'content-type': type, origin: SITE }, body: bytes });
  const bytesOf = (...parts: (string | number[])[]) => new Uint8Array(parts.flatMap((p) => (typeof p === 'string' ? [...new TextEncoder().encode(p)] : p)));

  it('urlencoded: raw invalid bytes and percent-escaped invalid bytes both give 400', async () => {
    for (const body of [bytesOf('email=a', [0xff], '@example.com'), bytesOf('email=a%FF%FE@example.com'), bytesOf('email=a%C3@example.com')]) {
      expect(await readForm(raw('application/x-www-form-urlencoded', body))).toMatchObject({ ok: false, status: 400, reason: /UTF-8/ });
    }
    const fine = await readForm(raw('application/x-www-form-urlencoded', bytesOf('email=j%C3%BCrgen%40example.com')));
    expect(fine.ok && fine.form.get('email')).toBe('jürgen@example.com');
  });

  it('multipart and JSON: invalid bytes give 400', async () => {
    const boundary = 'XyZ';
    const multipart = bytesOf(`--${boundary}\r\nContent-Disposition: form-data; name="email"\r\n\r\na`, [0xc3, 0x28], `@example.com\r\n--${boundary}--\r\n`);
    expect(await readForm(raw(`multipart/form-data; boundary=${boundary}`, multipart))).toMatchObject({ ok: false, status: 400 });
    expect(await readJson(raw('application/json', bytesOf('{"email":"a', [0xed, 0xa0, 0x80], '@example.com"}')))).toMatchObject({ ok: false, status: 400 });
  });

  it('the subscribe routes answer 400 and write nothing', async () => {
    const before = (await t.db.select().from(users)).length;
    const page = await handleSubscribeForm(
      t.db,
      raw('application/x-www-form-urlencoded', bytesOf('email=b%FF@example.com&contentTypes=blog&frequency=daily')),
      fakeDeps(),
    );
    expect(page.type === 'render' && page.status).toBe(400);
    const api = await handleSubscribeApi(
      t.db,
      raw('application/json', bytesOf('{"email":"b', [0xff], '@example.com","contentTypes":["blog"],"frequency":"daily"}')),
      fakeDeps(),
    );
    expect(api.status).toBe(400);
    expect(await api.text()).toMatch(/UTF-8/);
    expect((await t.db.select().from(users)).length).toBe(before);
  });
});
