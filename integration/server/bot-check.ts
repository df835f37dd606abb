/**
 * Bot protection for subscribe and register: a honeypot field (always) and Cloudflare Turnstile
 * (when TURNSTILE_SITE_KEY and TURNSTILE_SECRET_KEY are set). The token is checked with the
 * siteverify API (https://developers.cloudflare.com/turnstile/get-started/server-side-validation/):
 * POST secret, response, remoteip; JSON back with `success`, `error-codes` and `hostname`.
 * A failed check fails closed (a 400 with a message), before anything is written or mailed.
 */

export const SITEVERIFY_URL = 'https://challenges.cloudflare.com/turnstile/v0/siteverify';
/** The form field the widget fills in (Turnstile's own name). JSON callers send `turnstileToken`. */
export const TURNSTILE_FIELD = 'cf-turnstile-response';
/** The honeypot: a field people never see or reach; only a bot fills it in. */
export const HONEYPOT_FIELD = 'website';
/** Turnstile tokens are at most 2048 characters. */
const MAX_TOKEN_LENGTH = 2048;
const VERIFY_TIMEOUT_MS = 5000;

export type BotCheckConfig = {
  siteKey?: string;
  secretKey?: string;
  /** Overrides the siteverify URL (tests point it at a stand-in). */
  verifyUrl?: string;
  /** The hostname the widget must have been solved on (the site's); unset skips the check. */
  hostname?: string;
  fetch?: typeof fetch;
  /** How long to wait for siteverify before failing closed (default 5 s). */
  timeoutMs?: number;
};

export const turnstileEnabled = (c: BotCheckConfig | undefined): c is BotCheckConfig & { siteKey: string; secretKey: string } =>
  Boolean(c?.siteKey && c.secretKey);

export const BOT_MESSAGES = {
  honeypot: 'This form could not be sent. Please leave the hidden “website” field empty and try again.',
  missing: 'Please complete the “Verify you are human” check, then submit the form again.',
  expired: 'The human check expired or was already used. Please complete it again, then submit the form.',
  failed: 'We could not confirm you are human. Please complete the check again, then submit the form.',
  unavailable: 'The human check is not answering right now. Please try again in a minute.',
} as const;

export type BotCheckResult = { ok: true } | { ok: false; message: string; codes: string[] };

type SiteverifyAnswer = { success?: unknown; 'error-codes'?: unknown; hostname?: unknown };

/** Asks siteverify about one token. Never throws; a network failure or a timeout is a failed check. */
export async function verifyTurnstile(config: BotCheckConfig & { secretKey: string }, token: string | null, remoteIp: string | null): Promise<BotCheckResult> {
  if (!token) return { ok: false, message: BOT_MESSAGES.missing, codes: ['missing-input-response'] };
  if (token.length > MAX_TOKEN_LENGTH) return { ok: false, message: BOT_MESSAGES.failed, codes: ['invalid-input-response'] };
  const body = new URLSearchParams({ secret: config.secretKey, response: token });
  if (remoteIp) body.set('remoteip', remoteIp);
  let answer: SiteverifyAnswer;
  try {
    const response = await (config.fetch ?? fetch)(config.verifyUrl ?? SITEVERIFY_URL, {
      method: 'POST',
      body,
      signal: AbortSignal.timeout(config.timeoutMs ?? VERIFY_TIMEOUT_MS),
    });
    if (!response.ok) return { ok: false, message: BOT_MESSAGES.unavailable, codes: [`http-${response.status}`] };
    answer = (await response.json()) as SiteverifyAnswer;
  } catch {
    return { ok: false, message: BOT_MESSAGES.unavailable, codes: ['unreachable'] };
  }
  const codes = Array.isArray(answer['error-codes']) ? answer['error-codes'].filter((c): c is string => typeof c === 'string') : [];
  if (answer.success !== true) {
    return { ok: false, message: codes.includes('timeout-or-duplicate') ? BOT_MESSAGES.expired : BOT_MESSAGES.failed, codes };
  }
  if (config.hostname && answer.hostname !== config.hostname) return { ok: false, message: BOT_MESSAGES.failed, codes: ['hostname-mismatch'] };
  return { ok: true };
}

/** The whole check for one submission: the honeypot first (no network), then Turnstile when configured. */
export async function checkBot(
  config: BotCheckConfig | undefined,
  fields: { honeypot: unknown; token: unknown },
  remoteIp: string | null,
): Promise<BotCheckResult> {
  if (typeof fields.honeypot === 'string' ? fields.honeypot !== '' : fields.honeypot !== undefined && fields.honeypot !== null) {
    return { ok: false, message: BOT_MESSAGES.honeypot, codes: ['honeypot'] };
  }
  if (!turnstileEnabled(config)) return { ok: true };
  return verifyTurnstile(config, typeof fields.token === 'string' ? fields.token : null, remoteIp);
}
