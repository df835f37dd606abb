/**
 * The JSON APIs (Postmark, Resend, Cloudflare Email Service's builder) take fields, not a
 * raw message: this reads them back out of the MIME built by `buildMessage`, so every
 * transport sends the same rendered email (same subject, parts and list headers).
 */
import PostalMime from 'postal-mime';
import type { OutgoingEmail } from '../transport';

/** Headers that the JSON APIs let a sender set and that bulk mail needs (RFC 2369, 2919, 8058). */
export const LIST_HEADERS = ['List-Unsubscribe', 'List-Unsubscribe-Post', 'List-Id'] as const;

export type EmailFields = {
  from: { email: string; name?: string };
  to: string;
  subject: string;
  html?: string;
  text?: string;
  /** Reply-To, `Name <address>`, when the message has one. */
  replyTo?: string;
  /** The list headers present in the message, canonical casing. */
  headers: Record<string, string>;
  /** `<id@domain>`. */
  messageIdHeader: string;
};

/** `Name <address>` with the name quoted when it needs to be (RFC 5322 specials). */
export function formatAddress(from: { email: string; name?: string }): string {
  if (!from.name) return from.email;
  const name = /[()<>[\]:;@\\,."]/.test(from.name) ? `"${from.name.replace(/["\\]/g, '\\$&')}"` : from.name;
  return `${name} <${from.email}>`;
}

export async function emailFields(email: OutgoingEmail): Promise<EmailFields> {
  const parsed = await PostalMime.parse(email.raw);
  if (!parsed.from?.address) throw new Error('the message has no From address');
  const headers: Record<string, string> = {};
  for (const name of LIST_HEADERS) {
    const found = parsed.headers.find((h) => h.key === name.toLowerCase());
    // postal-mime keeps the raw (possibly folded) value: unfold it.
    if (found) headers[name] = found.value.replace(/\r?\n[ \t]+/g, ' ').trim();
  }
  return {
    from: parsed.from.name ? { email: parsed.from.address, name: parsed.from.name } : { email: parsed.from.address },
    to: email.to,
    subject: parsed.subject ?? '',
    ...(parsed.html ? { html: parsed.html } : {}),
    ...(parsed.text ? { text: parsed.text } : {}),
    ...(parsed.replyTo?.[0]?.address
      ? { replyTo: formatAddress({ email: parsed.replyTo[0].address, ...(parsed.replyTo[0].name ? { name: parsed.replyTo[0].name } : {}) }) }
      : {}),
    headers,
    messageIdHeader: email.messageIdHeader,
  };
}
