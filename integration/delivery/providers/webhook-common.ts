/** What every provider webhook shares: a bounded body read, JSON answers (the constant-time compare is db/crypto.ts's). */
/** 256 KiB: a provider event is a few KiB; anything larger is refused before it is parsed. */
export const MAX_WEBHOOK_BODY_BYTES = 256 * 1024;

export const reply = (status: number, body: Record<string, unknown>, headers: Record<string, string> = {}): Response =>
  new Response(JSON.stringify(body), {
    status,
    headers: { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store', ...headers },
  });

export const notConfigured = (names: string): Response => reply(503, { error: 'not_configured', reason: `${names} is not set, so this webhook is off.` });

export const methodNotAllowed = (): Response => reply(405, { error: 'method_not_allowed', reason: 'Use POST.' }, { allow: 'POST' });

/** The raw body as text, or a 413 past the limit (checked on Content-Length and on the bytes read). */
export async function readBody(request: Request): Promise<{ ok: true; text: string } | { ok: false; response: Response }> {
  const tooLarge = () => ({ ok: false as const, response: reply(413, { error: 'too_large', reason: `The body is over ${MAX_WEBHOOK_BODY_BYTES} bytes.` }) });
  const declared = Number(request.headers.get('content-length') ?? '0');
  if (Number.isFinite(declared) && declared > MAX_WEBHOOK_BODY_BYTES) return tooLarge();
  if (!request.body) return { ok: true, text: '' };
  const reader = request.body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      size += value.byteLength;
      if (size > MAX_WEBHOOK_BODY_BYTES) {
        await reader.cancel().catch(() => {});
        return tooLarge();
      }
      chunks.push(value);
    }
  } catch {
    // The sender went away mid-upload (or the stream broke): a 400 for nobody, not a thrown 500 in the log.
    return { ok: false, response: reply(400, { error: 'invalid_body', reason: 'The body could not be read to its end.' }) };
  }
  const bytes = new Uint8Array(size);
  let offset = 0;
  for (const chunk of chunks) {
    bytes.set(chunk, offset);
    offset += chunk.byteLength;
  }
  try {
    return { ok: true, text: new TextDecoder('utf-8', { fatal: true }).decode(bytes) };
  } catch {
    return { ok: false, response: reply(400, { error: 'invalid_body', reason: 'The body is not UTF-8.' }) };
  }
}

export function parseJsonObject(text: string): Record<string, unknown> | null {
  try {
    const value: unknown = JSON.parse(text);
    return value !== null && typeof value === 'object' && !Array.isArray(value) ? (value as Record<string, unknown>) : null;
  } catch {
    return null;
  }
}

export const str = (value: unknown): string | undefined => (typeof value === 'string' && value !== '' ? value : undefined);
export const obj = (value: unknown): Record<string, unknown> | undefined =>
  value !== null && typeof value === 'object' && !Array.isArray(value) ? (value as Record<string, unknown>) : undefined;
export const arr = (value: unknown): unknown[] => (Array.isArray(value) ? value : []);

/**
 * SES's bounceType (Resend relays the same field): only `Permanent` is hard; `Transient` and
 * `Undetermined` (SES could not tell) count as soft, so three of them mark the reader bounced
 * (https://docs.aws.amazon.com/ses/latest/dg/notification-contents.html#bounce-types).
 */
export const bounceKindOfSesType = (bounceType: unknown): 'hard_bounce' | 'soft_bounce' => (bounceType === 'Permanent' ? 'hard_bounce' : 'soft_bounce');
