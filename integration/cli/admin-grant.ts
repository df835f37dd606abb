/**
 * `npm run admin:grant -- reader@example.com [--revoke]`: gives (or takes back) the admin role
 * of an existing, verified account in the LOCAL D1. For a deployed database run the same SQL
 * with `wrangler d1 execute DB --remote` (README "Author console"). Never reachable from the web.
 */
import { getPlatformProxy } from 'wrangler';
import { createDb } from '../../db/client';
import { setAdminRole } from '../../db/admin-roles';

async function main() {
  const args = process.argv.slice(2);
  const revoke = args.includes('--revoke');
  const email = args.find((a) => !a.startsWith('--'));
  if (!email) throw new Error('usage: npm run admin:grant -- <email> [--revoke]');
  const proxy = await getPlatformProxy<{ DB: D1Database }>({ configPath: 'wrangler.jsonc' });
  try {
    const result = await setAdminRole(createDb(proxy.env.DB), email, !revoke, 'cli:admin-grant');
    if (!result) throw new Error(`No account with the address ${email}: the person signs up first, then you grant the role.`);
    const what = revoke ? 'no longer has' : 'now has';
    console.log(result.changed ? `${result.email} ${what} the admin role.` : `${result.email} was already ${revoke ? 'a reader' : 'an admin'}.`);
  } finally {
    await proxy.dispose();
  }
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exitCode = 1;
});
