import type { Db } from '../../../db/client';
import { safeErrorText } from '../../../db/safe-error';
import type { BotCheckConfig } from '../bot-check';
import { tooManyText, translator, type Translate } from '../../i18n';

export type AccountEmail = {
  userId: string;
  email: string;
  verifyUrl: string;
  kind?: 'verification' | 'sign_in' | 'set_password' | 'welcome';
  summary?: string;
};

/** What the reader handlers need from outside: the public origin for links, a clock, and a mailer. */
export type ReaderDeps = {
  /** Origin used in emailed links, e.g. `https://blog.example` (no trailing slash). */
  siteUrl: string;
  now?: () => Date;
  /**
   * Queues and sends an account email: the subscribe confirmation (default; `summary` restates
   * the choices), a sign-in or set-password link, or the welcome mail. Handlers call it through
   * `afterResponse`; a failure leaves the mail queued for the scheduled run to retry.
   */
  sendVerification: (db: Db, params: AccountEmail) => Promise<void>;
  /** Turnstile keys for subscribe and register (integration/server/bot-check.ts); the honeypot is always checked. */
  botCheck?: BotCheckConfig;
  /**
   * Starts work after the answer is sent (the Worker's `waitUntil`), so its duration cannot tell
   * anything about the address. Without it (tests, CLIs) the work runs before the answer.
   */
  afterResponse?: (work: () => Promise<unknown>) => void;
  /** The language of the page the request came from (integration/i18n); English without it. */
  t?: Translate;
  /** The `lang` the page's own redirects keep: set only when the site serves several languages. */
  lang?: string;
};

const ENGLISH = translator('en');
/** The request's translator: the page's, else English (tests, the JSON API). */
export const tOf = (deps: Pick<ReaderDeps, 't'>): Translate => deps.t ?? ENGLISH;

/** Runs `work` after the answer when the deps allow it, else now; its failures are logged, never shown. */
export async function afterResponse(deps: Pick<ReaderDeps, 'afterResponse'>, label: string, work: () => Promise<unknown>): Promise<void> {
  // safeErrorText: a failed INSERT's message lists its parameters, a link's raw token among them.
  const logged = () => work().catch((error: unknown) => console.error(`${label} failed:`, safeErrorText(error)));
  if (deps.afterResponse) deps.afterResponse(logged);
  else await logged();
}

export const nowOf = (deps: Pick<ReaderDeps, 'now'>): Date => (deps.now ? deps.now() : new Date());

/** What a page handler asks its page to do: render a view with a status, or return a ready response. */
export type PageResult<V> = { type: 'render'; status: number; view: V; headers?: Record<string, string> } | { type: 'response'; response: Response };

export const render = <V>(view: V, status = 200, headers?: Record<string, string>): PageResult<V> => ({ type: 'render', status, view, headers });
export const respond = <V>(response: Response): PageResult<V> => ({ type: 'response', response });

export const tooManyMessage = (retryAfterSeconds: number, t: Translate = ENGLISH): string => tooManyText(t, retryAfterSeconds);

/** 303 See Other: after a POST, the browser GETs the next page (post/redirect/get). */
export const redirectTo = (location: string, headers: Record<string, string> = {}): Response =>
  new Response(null, { status: 303, headers: { location, ...headers } });
