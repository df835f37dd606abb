/**
 * Error text that may be stored (email_notifications.error_message, history details) or
 * logged. Transports and libraries put whatever they like in error messages: a failed
 * INSERT's message lists its parameters (the whole raw email, live tokens in its links), a
 * provider may echo the request. So every recorded error goes through here:
 *
 * - only the first line: a message body or a header block always spans lines;
 * - long runs of token-like characters (≥ 20 of base64url/hex: our tokens are 43) are
 *   replaced, as is any `token=` / `sig=` query value and any `Bearer` credential;
 * - at most MAX_ERROR_CHARS characters.
 */
export const MAX_ERROR_CHARS = 300;
export const REDACTED = '[redacted]';

const TOKEN_RUN = /[A-Za-z0-9_\-+/=%]{20,}/g;
const SECRET_PARAM = /\b(token|sig|key|secret|code|access_token|refresh_token)=[^\s&"'<>]*/gi;
const BEARER = /\b(Bearer|Basic)\s+\S+/gi;

export function safeErrorText(error: unknown): string {
  const text = error instanceof Error ? error.message : typeof error === 'string' ? error : String(error);
  const firstLine = text.split(/\r\n|\r|\n/, 1)[0] ?? '';
  const cleaned = firstLine
    .replace(/[\u0000-\u001f\u007f]/g, ' ')
    .replace(SECRET_PARAM, (_, name: string) => `${name}=${REDACTED}`)
    .replace(BEARER, (_, scheme: string) => `${scheme} ${REDACTED}`)
    .replace(TOKEN_RUN, REDACTED);
  const lines = text.split(/\r\n|\r|\n/).length;
  const suffix = lines > 1 ? ' […]' : '';
  return (cleaned.length > MAX_ERROR_CHARS ? `${cleaned.slice(0, MAX_ERROR_CHARS - 1)}…` : cleaned) + suffix;
}

/**
 * A runtime's own failure text (workerd's `internal error; reference = …`, a dropped connection,
 * D1's error codes) says nothing to the person reading an answer and tells a prober about our
 * internals: answers never carry it.
 */
const RUNTIME_INTERNALS = /internal error|reference\s*=|network connection lost|D1_|SQLITE_|Failed query/i;

/** The error's first line for an answer, or `fallback` when it is a runtime's internal text. */
export function answerableErrorText(error: unknown, fallback: string): string {
  const text = safeErrorText(error);
  return RUNTIME_INTERNALS.test(text) ? fallback : text;
}
