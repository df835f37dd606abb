/**
 * Finding a captured mail in the dev mail viewer. Account mail is sent after the answer
 * (waitUntil), so the viewer is asked again until the mail is there, up to a deadline long
 * enough for a loaded 2-core CI machine. If it never comes, the error says what became of the
 * notification (pending, failed and why), read from the site's D1, instead of a bare timeout.
 */
import type { Page } from 'playwright-core';
import { d1Of, type Db } from '../../db/client';

const MAIL_DEADLINE_MS = 40_000;
const LOOK_AGAIN_MS = 300;

/** What D1 holds about the mail to `to`: the notifications and any captured rows. */
async function mailState(db: Db, to: string): Promise<string> {
  const d1 = d1Of(db);
  const { results: notifications } = await d1
    .prepare(
      `SELECT n.notification_type, n.content_id, n.status, n.retry_count, n.error_message, n.scheduled_for, n.next_retry_at
       FROM email_notifications n JOIN users u ON u.id = n.user_id WHERE u.email = ?1`,
    )
    .bind(to)
    .all();
  // A pending row with no error: was the pacing allowance spent (the run then leaves it for the cron)?
  const { results: allowance } = await d1.prepare('SELECT * FROM send_allowance').all();
  return JSON.stringify({ notifications, allowance }, null, 1);
}

/**
 * Opens the newest mail to `to` (whose subject matches `subject`, if given) in the viewer at
 * `${base}/dev/mail` and returns its id.
 * `db` (the site's D1) makes a missing mail's error say what happened to it.
 */
export async function openMail(page: Page, to: string, opts: { base?: string; db?: Db; subject?: RegExp } = {}): Promise<string> {
  const base = opts.base ?? '';
  const rows = page.locator(`tr[data-testid="mail-row"][data-to="${to}"]`);
  const row = (opts.subject ? rows.filter({ hasText: opts.subject }) : rows).first();
  const deadline = Date.now() + MAIL_DEADLINE_MS;
  for (;;) {
    await page.goto(`${base}/dev/mail?to=${encodeURIComponent(to)}`);
    if ((await row.count()) > 0) break;
    if (Date.now() > deadline) {
      const state = opts.db ? await mailState(opts.db, to).catch((e: unknown) => `(D1 unreadable: ${String(e)})`) : '(no db given)';
      throw new Error(
        `no mail to ${to}${opts.subject ? ` with subject ${opts.subject}` : ''} in ${base}/dev/mail after ${MAIL_DEADLINE_MS / 1000} s; D1 holds: ${state}`,
      );
    }
    await page.waitForTimeout(LOOK_AGAIN_MS);
  }
  const id = (await row.getAttribute('data-id'))!;
  await row.locator('a[data-testid="mail-link"]').click();
  await page.waitForURL(`**${base}/dev/mail/${id}`);
  return id;
}
