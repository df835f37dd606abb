/**
 * `npm run db:seed`: demo readers in the LOCAL D1 (the `.wrangler/state` that `astro dev` and
 * `wrangler d1 migrations apply --local` use). Idempotent: a reader whose email is already
 * there is left as it is, so running it twice changes nothing. Password accounts are not
 * made here (the sign-up flow owns password hashing).
 */
import { getPlatformProxy } from 'wrangler';
// The demo is a host like any other: it reaches the package through its exports only (.dependency-cruiser.cjs).
import { createDb, insertReadersIfAbsent, type SeedReader } from 'astro-d1-notify/db';

type DemoReader = { note: string } & SeedReader;

const UNSUBSCRIBED_AT = new Date('2026-01-15T09:00:00Z');
const SEEDED_AT = new Date('2026-01-01T09:00:00Z');

export const DEMO_READERS: DemoReader[] = [
  {
    note: 'verified, immediate, everything',
    email: 'reader@example.com',
    emailVerified: true,
    emailBlogUpdates: true,
    emailThoughtUpdates: true,
    emailAnnouncements: true,
    emailFrequency: 'immediate',
  },
  {
    note: 'verified, immediate, blog only',
    email: 'blog-fan@example.com',
    emailVerified: true,
    emailBlogUpdates: true,
    emailFrequency: 'immediate',
  },
  {
    note: 'verified, daily digest of blog and thoughts',
    email: 'daily@example.com',
    emailVerified: true,
    emailBlogUpdates: true,
    emailThoughtUpdates: true,
    emailFrequency: 'daily',
  },
  {
    note: 'verified, weekly digest of everything',
    email: 'weekly@example.com',
    emailVerified: true,
    emailBlogUpdates: true,
    emailThoughtUpdates: true,
    emailAnnouncements: true,
    emailFrequency: 'weekly',
  },
  {
    note: 'not verified yet: gets nothing',
    email: 'unverified@example.com',
    emailVerified: false,
    emailBlogUpdates: true,
    emailThoughtUpdates: true,
    emailFrequency: 'immediate',
  },
  {
    note: 'unsubscribed from everything: gets nothing',
    email: 'unsubscribed@example.com',
    emailVerified: true,
    unsubscribeAll: true,
    emailStatus: 'unsubscribed',
    unsubscribedAt: UNSUBSCRIBED_AT,
  },
];

async function main(): Promise<void> {
  const proxy = await getPlatformProxy<{ DB: D1Database }>({ configPath: 'wrangler.jsonc' });
  try {
    const db = createDb(proxy.env.DB);
    // One multi-row INSERT (6 rows x <= 12 parameters, under D1's 100); existing emails are skipped.
    // Confirmed readers have proven their mailbox (they can ask for a sign-in link); every row
    // carries the address hash the suppression list is keyed by, as subscribe writes it.
    const readers = DEMO_READERS.map(({ note: _note, ...reader }) => ({ ...reader, emailProvenAt: reader.emailVerified ? SEEDED_AT : null }));
    const created = await insertReadersIfAbsent(db, readers).catch((error: unknown) => {
      const missingTable = String(error instanceof Error ? `${error.message} ${String(error.cause)}` : error).includes('no such table');
      throw missingTable ? new Error('The local D1 has no tables yet: run `npm run db:migrate` first.') : error;
    });
    const fresh = new Set(created);
    console.log(`Demo readers in local D1 (${fresh.size} created, ${DEMO_READERS.length - fresh.size} already there):`);
    for (const reader of DEMO_READERS) {
      console.log(`  ${fresh.has(reader.email) ? '+' : '='} ${reader.email.padEnd(26)} ${reader.note}`);
    }
  } finally {
    await proxy.dispose();
  }
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exitCode = 1;
});
