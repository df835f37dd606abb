/**
 * `npm run delivery:resume`: lifts the complaint pause of bulk sending on the LOCAL D1 (for the
 * deployed database, README "Bounces and complaints" gives the one `wrangler d1 execute` line).
 * Complaints from before this moment stop counting towards the 0.3% limit.
 */
import { getPlatformProxy } from 'wrangler';
import { createDb } from '../../db/client';
import { getBulkPause, resumeBulkSending } from '../../db/delivery-pause';

async function main() {
  const proxy = await getPlatformProxy<{ DB: D1Database }>({ configPath: 'wrangler.jsonc' });
  try {
    const db = createDb(proxy.env.DB);
    const before = await getBulkPause(db);
    if (!before.paused) {
      console.log('Bulk sending is not paused; nothing to do.');
      return;
    }
    await resumeBulkSending(db);
    console.log(`Bulk sending resumed. It had been paused since ${before.since}: ${before.reason}`);
  } finally {
    await proxy.dispose();
  }
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exitCode = 1;
});
