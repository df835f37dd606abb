import PostalMime, { type Email } from 'postal-mime';
import { expect } from 'vitest';
import type { MessageInput } from '../../integration/delivery/mime';

export const parseMime = (raw: string | Uint8Array): Promise<Email> => PostalMime.parse(raw);

const headerValue = (email: Email, key: string): string[] => email.headers.filter((h) => h.key === key).map((h) => h.value);

/**
 * Asserts that a parsed message carries every header and both parts that
 * `buildMessage(input)` must produce (RFC 5322 + RFC 2047 + RFC 8058).
 */
export function expectMessageMatches(email: Email, raw: string, input: MessageInput): void {
  expect(email.from).toEqual({ name: input.from.name ?? '', address: input.from.email });
  expect(email.to).toEqual([{ name: input.to.name ?? '', address: input.to.email }]);
  expect(email.subject ?? '').toBe(input.subject.trim()); // postal-mime gives undefined for an empty subject
  expect(new Date(email.date!).getTime()).toBe(Math.floor(input.date.getTime() / 1000) * 1000);
  const id = input.messageId.replace(/^<|>$/g, '');
  expect(email.messageId).toBe(`<${id}>`);
  expect(headerValue(email, 'mime-version')).toEqual(['1.0']);
  expect(headerValue(email, 'list-unsubscribe')).toEqual([`<${input.listUnsubscribeUrl}>`]);
  expect(headerValue(email, 'list-unsubscribe-post')).toEqual(['List-Unsubscribe=One-Click']);
  expect(headerValue(email, 'list-id')).toEqual([`<${input.listId.replace(/^<|>$/g, '')}>`]);
  expect(headerValue(email, 'content-type')[0]).toMatch(/^multipart\/alternative;\s*boundary=/);
  expect(email.attachments).toEqual([]);
  // postal-mime returns each part with \n line breaks plus the line break before the
  // boundary (which RFC 2046 assigns to the delimiter): drop exactly that one.
  const decoded = (part: string | undefined) => part?.replace(/\r\n/g, '\n').replace(/\n$/, '');
  const whole = (part: MessageInput['html']) => (typeof part === 'string' ? part : `${part.before}${part.shared.text}${part.after}`);
  const sent = (part: MessageInput['html']) => whole(part).replace(/\r\n|\r/g, '\n');
  expect(decoded(email.text)).toBe(sent(input.text));
  expect(decoded(email.html)).toBe(sent(input.html));
  // Order: text/plain before text/html, both UTF-8 quoted-printable.
  const plainAt = raw.indexOf('Content-Type: text/plain; charset=UTF-8');
  const htmlAt = raw.indexOf('Content-Type: text/html; charset=UTF-8');
  expect(plainAt).toBeGreaterThan(0);
  expect(htmlAt).toBeGreaterThan(plainAt);
  // Every line ends in CRLF and none is longer than RFC 5322's 998 characters.
  expect(raw.replace(/\r\n/g, '')).not.toMatch(/[\r\n]/);
  expect(raw.endsWith('\r\n')).toBe(true);
  for (const line of raw.split('\r\n')) expect(line.length).toBeLessThanOrEqual(998);
}
