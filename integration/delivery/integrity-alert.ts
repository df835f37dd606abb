/**
 * The weekly integrity check (its own Cron Trigger, dispatched by integration/worker.ts): the checks of
 * `npx astro-d1-notify db:integrity` on the Worker's D1 binding, and, when one finds something, a plain
 * email to the author (ADMIN_EMAIL) through the configured transport. Nothing is mailed
 * when all is well; the summary is logged either way.
 */
import { formatIntegrityReport, runIntegrityCheck, type IntegrityReport } from '../../db/maintenance/integrity';
import { d1Runner } from '../../db/sql-runner';
import { emailAddressProblem, normalizeEmail } from '../../db/readers/email-address';
import { buildDeliveryDeps, type DeliveryEnv } from './deps';
import { buildMessage, makeMessageId } from './mime';
import type { SendResult, Transport } from './transport';

/** Sundays 03:47 UTC: off the hour, after the daily housekeeping. Must match wrangler.jsonc `triggers.crons`. */
export const INTEGRITY_CRON = '47 3 * * 0';

export type IntegrityRun = {
  ok: boolean;
  problems: number;
  /** Whether the author was mailed, and why not when not. */
  alert: 'not_needed' | 'sent' | 'no_admin_email' | 'invalid_admin_email' | 'send_failed';
  sendError?: string;
  report: IntegrityReport;
};

const escapeHtml = (s: string) => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

/** ADMIN_EMAIL, checked like a reader's address; undefined when unset. */
export function adminEmailOf(env: Record<string, unknown>): { email?: string; invalid?: boolean } {
  const raw = env.ADMIN_EMAIL;
  if (typeof raw !== 'string' || raw.trim() === '') return {};
  const email = normalizeEmail(raw);
  return emailAddressProblem(email) ? { invalid: true } : { email };
}

export async function runScheduledIntegrity(env: DeliveryEnv, options: { transport?: Transport; now?: Date } = {}): Promise<IntegrityRun> {
  const report = await runIntegrityCheck(d1Runner(env.DB));
  const problems = report.findings.filter((f) => f.count > 0).length;
  const base = { ok: report.ok, problems, report };
  if (report.ok) return { ...base, alert: 'not_needed' };
  const admin = adminEmailOf(env);
  if (admin.invalid) return { ...base, alert: 'invalid_admin_email' };
  if (!admin.email) return { ...base, alert: 'no_admin_email' };

  const { transport, config } = buildDeliveryDeps(env, { transport: options.transport });
  const text =
    `${formatIntegrityReport(report)}\n\nRun \`npx astro-d1-notify db:integrity --remote\` for the same report; ` +
    'docs/operations.md "Database maintenance" says what each check means.\n';
  const messageIdHeader = makeMessageId(config.messageIdDomain);
  const raw = buildMessage({
    from: config.from,
    to: { email: admin.email },
    subject: `[${config.siteName}] Database integrity: ${problems} check(s) found problems`,
    text,
    html: `<pre style="font-family:monospace">${escapeHtml(text)}</pre>`,
    messageId: messageIdHeader,
    date: options.now ?? new Date(),
    // buildMessage requires the RFC 8058 pair; for the author it leads to the site's preferences page.
    listUnsubscribeUrl: `${config.siteUrl}/preferences`,
    listId: `admin.${new URL(config.siteUrl).hostname}`,
  });
  const result: SendResult = await transport.send({ to: admin.email, raw, messageIdHeader });
  return result.ok ? { ...base, alert: 'sent' } : { ...base, alert: 'send_failed', sendError: result.error };
}
