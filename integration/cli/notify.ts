/**
 * `npm run notify`: one run of the notification processor against the LOCAL D1 (the same
 * `.wrangler/state` that `astro dev` and `wrangler d1 migrations apply --local` use), with
 * the dev capture transport, so every email lands in the dev outbox (/dev/mail).
 * Prints the run's summary as JSON. Options: --batch-size N, --time-budget-ms N.
 */
import { getPlatformProxy } from 'wrangler';
import { buildDeliveryDeps, type DeliveryEnv } from '../delivery/deps';
import { processNotifications } from '../delivery/processor';

function option(name: string): number | undefined {
  const i = process.argv.indexOf(`--${name}`);
  if (i < 0) return undefined;
  const value = Number(process.argv[i + 1]);
  if (!Number.isInteger(value) || value <= 0) throw new Error(`--${name} needs a positive integer`);
  return value;
}

async function main() {
  const proxy = await getPlatformProxy<DeliveryEnv>({ configPath: 'wrangler.jsonc' });
  try {
    // Whatever MAIL_TRANSPORT says, this command never sends real mail.
    const deps = buildDeliveryDeps(proxy.env, { settings: { MAIL_TRANSPORT: 'dev' } });
    const summary = await processNotifications(deps, { batchSize: option('batch-size'), timeBudgetMs: option('time-budget-ms') });
    console.log(JSON.stringify(summary, null, 2));
    if (summary.sent > 0) console.log(`\n${summary.sent} email(s) captured: open ${deps.config.siteUrl}/dev/mail (npm run dev)`);
  } finally {
    await proxy.dispose();
  }
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exitCode = 1;
});
