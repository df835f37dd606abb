/**
 * Every command of `npx astro-d1-notify`: its name, one line for the list, its --help, and the
 * TypeScript module and export that run it (loaded through tsx by bin.mjs). Plain JavaScript, so
 * the list and every --help print at once, without loading the commands.
 * (test/cli-host.test.ts checks that the defaults named here are the code's.)
 */
const T = '[--local | --remote] [--config wrangler.jsonc] [--binding DB]';

export const COMMANDS = [
  {
    name: 'migrations',
    module: './migrate.ts',
    run: 'migrationsCommand',
    summary: "copy the package's migrations into yours; --local / --remote also apply them",
    help: `npx astro-d1-notify migrations [--into <dir>] [--dry-run] ${T}
  Copies the package's SQL migrations into your migrations folder (the binding's migrations_dir
  in the wrangler config, or migrations/), numbered after your own. Files copied before are
  skipped, so run it again after every upgrade. With --local or --remote it then applies them
  (wrangler d1 migrations apply); without either it only copies.`,
  },
  {
    name: 'notify',
    module: './notify.ts',
    run: 'notifyCommand',
    summary: 'one run of the processor on the local D1 (mail goes to /dev/mail)',
    help:
      'npx astro-d1-notify notify [--batch-size N] [--time-budget-ms N] [--digests-now] [--persist-to DIR] ' +
      `[--local] [--config wrangler.jsonc] [--binding DB]
  One run of the processor on the local D1 with the dev capture transport, whatever
  MAIL_TRANSPORT says: every email lands in the dev outbox (/dev/mail of \`astro dev\`), nothing
  is sent. --digests-now makes waiting digests due now (development only), so you can see one.
npx astro-d1-notify notify --remote --url https://blog.example.com[/prefix]
  Asks the deployed site to run the processor now (real mail, as its Cron Trigger does):
  POST <url>/api/notifications/process with PROCESS_SECRET from the environment.`,
  },
  {
    name: 'db:integrity',
    module: './db-integrity.ts',
    run: 'integrityCommand',
    summary: 'storage, foreign-key and consistency checks (exit code 1 when something is wrong)',
    help: `npx astro-d1-notify db:integrity [--json] ${T}
  PRAGMA quick_check (D1 refuses integrity_check), PRAGMA foreign_key_check and the consistency
  queries; prints a count per check. Exit code 1 when anything is wrong.`,
  },
  {
    name: 'db:stats',
    module: './db-stats.ts',
    run: 'statsCommand',
    summary: 'rows per table and the query plans of the hot queries',
    help: `npx astro-d1-notify db:stats [--json] ${T}
  Row counts of every table, and EXPLAIN QUERY PLAN of the subscriber query, the fan-out,
  the claim and the unnotified-content query with the indexes each uses.`,
  },
  {
    name: 'db:archive',
    module: './db-archive.ts',
    run: 'archiveCommand',
    summary: 'move old send history to the archive table, in batches',
    help: `npx astro-d1-notify db:archive [--months N] [--batch-size N] [--prune-previews] [--json] ${T}
  Moves email_notification_history rows older than N months (default 6) to
  email_notification_history_archive, 1000 rows per transaction by default (max 10000).
  --prune-previews also clears content_preview of notified entries older than 12 months.`,
  },
  {
    name: 'db:retention',
    module: './db-retention.ts',
    run: 'retentionCommand',
    summary: 'delete expired sessions, tokens and links, and old dev outbox mail',
    help: `npx astro-d1-notify db:retention [--outbox-days N] ${T}
  What the daily housekeeping cron deletes: expired sessions, unsubscribe tokens and account
  links, finished rate-limit windows, old provider event ids; plus dev outbox mail older than N
  days (default 14; 0 empties it). One transaction.`,
  },
  {
    name: 'db:backup',
    module: './db-backup.ts',
    run: 'backupCommand',
    summary: 'export the database to a gzipped, timestamped SQL file, keeping the newest N',
    help: `npx astro-d1-notify db:backup [--dir backups] [--keep 30] ${T}
  wrangler d1 export to <dir>/<database>-<local|remote>-<UTC time>.sql.gz, then deletes all but
  the newest --keep backups of that database and target. Restore: gunzip, then
  npx wrangler d1 execute DB --remote --file <backup>.sql`,
  },
  {
    name: 'db:erase',
    module: './db-erase.ts',
    run: 'eraseCommand',
    summary: 'erase a reader and everything stored about them (GDPR Art. 17)',
    help: `npx astro-d1-notify db:erase <email> ${T}
  Erases the reader with this address and everything stored about them, in one transaction.
  Keeps only a one-way hash on the suppression list if they had unsubscribed or complained.`,
  },
  {
    name: 'admin:grant',
    module: './admin-grant.ts',
    run: 'adminGrantCommand',
    summary: 'give an account the admin role (the author console)',
    help: `npx astro-d1-notify admin:grant <email> ${T}
  Gives the account with this address the admin role (the author console). The account must
  exist: the person signs up first. Recorded in the admin audit log.`,
  },
  {
    name: 'admin:revoke',
    module: './admin-grant.ts',
    run: 'adminRevokeCommand',
    summary: 'take the admin role back',
    help: `npx astro-d1-notify admin:revoke <email> ${T}
  Takes the admin role back: the account stays, as a reader. Recorded in the admin audit log.`,
  },
  {
    name: 'delivery:resume',
    module: './delivery-resume.ts',
    run: 'deliveryResumeCommand',
    summary: 'resume bulk sending after the complaint-rate pause',
    help: `npx astro-d1-notify delivery:resume ${T}
  Resumes bulk sending after the complaint-rate pause (fix the cause first). Complaints from
  before now stop counting towards the 0.3% limit.`,
  },
  {
    name: 'gmail:auth',
    module: './gmail-auth.ts',
    run: 'gmailAuthCommand',
    summary: 'get a Gmail refresh token (OAuth in your browser) into .dev.vars or Worker secrets',
    target: false,
    help: `GMAIL_CLIENT_ID=… GMAIL_CLIENT_SECRET=… npx astro-d1-notify gmail:auth (--local | --remote | --print) [--config wrangler.jsonc]
  Gets a refresh token for the Gmail transport (OAuth consent in your browser, scope gmail.send).
  Needs an OAuth client of type "Desktop app" with the Gmail API enabled. Where the token goes:
  --local    GMAIL_CLIENT_ID, GMAIL_CLIENT_SECRET, GMAIL_REFRESH_TOKEN and MAIL_TRANSPORT=gmail
             into .dev.vars beside the wrangler config (mode 0600)
  --remote   the three as secrets of the deployed Worker (wrangler secret put; wrangler login
             or CLOUDFLARE_API_TOKEN); then set MAIL_TRANSPORT to gmail in "vars"
  --print    printed, with the wrangler commands that store them (the only way it shows a secret)`,
  },
];

export const TARGET_HELP = `Where:
  --local             the local D1 that \`astro dev\` uses, under .wrangler/state (the default)
  --remote            the deployed D1, through the Cloudflare API: set CLOUDFLARE_ACCOUNT_ID and
                      CLOUDFLARE_API_TOKEN (a token with "D1 Edit"); CLOUDFLARE_D1_DATABASE_ID
                      overrides the database_id of the binding
  --config <file>     the wrangler config (default wrangler.jsonc)
  --binding <name>    the D1 binding in it (default DB)`;

/** One command's --help: its own text, then the target flags it takes. */
export function commandHelp(command) {
  return command.target === false ? command.help : `${command.help}\n\n${TARGET_HELP}`;
}

export function helpText() {
  const width = Math.max(...COMMANDS.map((c) => c.name.length));
  return [
    'Usage: npx astro-d1-notify <command> [options]',
    '',
    'Commands:',
    ...COMMANDS.map((c) => `  ${c.name.padEnd(width)}  ${c.summary}`),
    '',
    TARGET_HELP,
    '',
    'npx astro-d1-notify <command> --help tells more about one command.',
  ].join('\n');
}
