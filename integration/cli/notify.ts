/**
 * `npm run notify`: one run of the notification processor against the LOCAL D1 (the same
 * `.wrangler/state` that `astro dev` and `wrangler d1 migrations apply --local` use), with
 * the dev capture transport, so every email lands in the dev outbox (/dev/mail).
 * Prints the run's summary as JSON, plus the digests waiting for their slot.
 *
 * Options: --batch-size N, --time-budget-ms N, --digests-now (make waiting digests due now,
 * so a newcomer can see one), --persist-to DIR (another local D1 state, as wrangler's flag).
 * Two runs at once share one SQLite file: a statement refused with SQLITE_BUSY is retried
 * with backoff, and the output says so.
 */
import { getPlatformProxy } from 'wrangler';
import { makeDigestsDueNow, waitingDigests } from '../../db/digest-waiting';
import { withBusyRetry } from '../delivery/d1-busy-retry';
import { buildDeliveryDeps, type DeliveryEnv } from '../delivery/deps';
import { processNotifications } from '../delivery/processor';

function option(name: string): number | undefined {
  const i = process.argv.indexOf(`--${name}`);
  if (i < 0) return undefined;
  const value = Number(process.argv[i + 1]);
  if (!Number.isInteger(value) || value <= 0) throw new Error(`--${name} needs a positive integer`);
  return value;
}

function textOption(name: string): string | undefined {
  const i = process.argv.indexOf(`--${name}`);
  if (i < 0) return undefined;
  const value = process.argv[i + 1];
  if (!value || value.startsWith('--')) throw new Error(`--${name} needs a value`);
  return value;
}

const flag = (name: string): boolean => process.argv.includes(`--${name}`);

async function main() {
  const persistTo = textOption('persist-to');
  const proxy = await getPlatformProxy<DeliveryEnv>({ configPath: 'wrangler.jsonc', ...(persistTo ? { persist: { path: persistTo } } : {}) });
  let busyRetries = 0;
  try {
    const DB = withBusyRetry(proxy.env.DB, {
      onRetry: ({ attempt, attempts, delayMs }) => {
        busyRetries += 1;
        console.error(`notify: the local D1 is busy (another run is writing); retrying in ${delayMs} ms (attempt ${attempt} of ${attempts})`);
      },
    });
    // Whatever MAIL_TRANSPORT says, this command never sends real mail.
    const deps = buildDeliveryDeps({ ...proxy.env, DB }, { settings: { MAIL_TRANSPORT: 'dev' } });
    if (flag('digests-now')) {
      const moved = await makeDigestsDueNow(deps.db, deps.clock());
      console.log(`--digests-now: ${moved} waiting digest notification(s) made due now (development only)`);
    }
    const summary = await processNotifications(deps, { batchSize: option('batch-size'), timeBudgetMs: option('time-budget-ms') });
    const digests = await waitingDigests(deps.db, deps.clock());
    console.log(
      JSON.stringify({ ...summary, waitingDigests: digests.waiting, nextDigestSlotAt: digests.nextSlotAt?.toISOString() ?? null, busyRetries }, null, 2),
    );
    if (summary.sent > 0) console.log(`\n${summary.sent} email(s) captured: open ${deps.config.siteUrl}/dev/mail (npm run dev)`);
    if (digests.waiting > 0) {
      console.log(
        `\n${digests.waiting} digest notification(s) wait for their slot (next: ${digests.nextSlotAt!.toISOString()}). ` +
          'To see a digest now: npm run notify -- --digests-now',
      );
    }
    if (busyRetries > 0) console.log(`\nThe local D1 was busy ${busyRetries} time(s) (another run at the same time); every statement was retried and went through.`);
  } finally {
    await proxy.dispose();
  }
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exitCode = 1;
});
