/**
 * `npx astro-d1-notify notify`: one run of the notification processor against the LOCAL D1 (the
 * same `.wrangler/state` that `astro dev` and `migrations --local` use), with the dev capture
 * transport whatever MAIL_TRANSPORT says, so every email lands in the dev outbox (/dev/mail).
 * Prints the run's summary as JSON, plus the digests waiting for their slot. Two runs at once
 * share one SQLite file: a statement refused with SQLITE_BUSY is retried with backoff, and the
 * output says so.
 *
 * `--remote --url <site>` asks the deployed site to run now instead (POST
 * /api/notifications/process with PROCESS_SECRET from the environment): real mail, the same run
 * the Cron Trigger makes.
 */
import { resolve } from 'node:path';
import { waitingPosts, type WaitingState } from '../../db/admin/posts';
import { makeDigestsDueNow, waitingDigests } from '../../db/delivery/digest-waiting';
import { withBusyRetry } from '../delivery/d1-busy-retry';
import { buildDeliveryDeps, type DeliveryEnv } from '../delivery/deps';
import { processNotifications } from '../delivery/processor';
import { intFlag, parseFlags, UsageError, type CommandContext } from './db-target';

/** Where `astro dev` serves by default: the links of captured mail when .dev.vars names no SITE_URL. */
const LOCAL_SITE_URL = 'http://localhost:4321';

const FLAGS = {
  'batch-size': { type: 'string' },
  'time-budget-ms': { type: 'string' },
  'digests-now': { type: 'boolean' },
  'persist-to': { type: 'string' },
  url: { type: 'string' },
} as const;

export async function notifyCommand(args: readonly string[], ctx: CommandContext): Promise<number> {
  const flags = parseFlags(args, FLAGS);
  if (flags.local && flags.remote) throw new UsageError('Use --local or --remote, not both.');
  const batchSize = flags['batch-size'] === undefined ? undefined : intFlag(flags['batch-size'], 'batch-size', 0, 1, 10_000);
  const timeBudgetMs = flags['time-budget-ms'] === undefined ? undefined : intFlag(flags['time-budget-ms'], 'time-budget-ms', 0, 1, 15 * 60_000);
  if (flags.remote) {
    if (flags['digests-now'] || flags['persist-to'] || batchSize || timeBudgetMs)
      throw new UsageError('--remote takes only --url: the deployed site runs with its own settings.');
    return notifyRemote(flags.url, ctx);
  }
  if (flags.url) throw new UsageError('--url goes with --remote.');
  return notifyLocal(ctx, {
    batchSize,
    timeBudgetMs,
    digestsNow: flags['digests-now'] === true,
    persistTo: flags['persist-to'],
    config: flags.config ?? 'wrangler.jsonc',
    binding: flags.binding ?? 'DB',
  });
}

async function notifyLocal(
  ctx: CommandContext,
  o: { batchSize?: number; timeBudgetMs?: number; digestsNow: boolean; persistTo?: string; config: string; binding: string },
): Promise<number> {
  const configPath = resolve(ctx.root, o.config);
  const { getPlatformProxy } = await import('wrangler');
  const proxy = await getPlatformProxy<DeliveryEnv & Record<string, unknown>>({
    configPath,
    ...(o.persistTo ? { persist: { path: resolve(ctx.root, o.persistTo) } } : {}),
  });
  let busyRetries = 0;
  try {
    const binding = proxy.env[o.binding] as D1Database | undefined;
    if (!binding) throw new UsageError(`${o.config} has no D1 binding "${o.binding}" (set --binding to yours).`);
    const DB = withBusyRetry(binding, {
      onRetry: ({ attempt, attempts, delayMs }) => {
        busyRetries += 1;
        console.error(`notify: the local D1 is busy (another run is writing); retrying in ${delayMs} ms (attempt ${attempt} of ${attempts})`);
      },
    });
    // Whatever MAIL_TRANSPORT says, this command never sends real mail; without a SITE_URL in
    // .dev.vars its links point at the local dev server (`astro dev`'s default address).
    const local = proxy.env.SITE_URL ? {} : { SITE_URL: LOCAL_SITE_URL };
    const deps = buildDeliveryDeps({ ...proxy.env, DB }, { settings: { MAIL_TRANSPORT: 'dev', ...local } });
    if (o.digestsNow) {
      const moved = await makeDigestsDueNow(deps.db, deps.clock());
      ctx.log(`--digests-now: ${moved} waiting digest notification(s) made due now (development only)`);
    }
    const summary = await processNotifications(deps, { batchSize: o.batchSize, timeBudgetMs: o.timeBudgetMs });
    const digests = await waitingDigests(deps.db, deps.clock());
    const notOut = await waitingPosts(deps.db, deps.clock());
    const named = (state: WaitingState) =>
      notOut
        .filter((p) => p.state === state)
        .map((p) => ({ slug: p.slug, title: p.title, recipients: p.recipients, ...(p.sendAt && { sendAt: p.sendAt.toISOString() }) }));
    const [held, waiting, scheduled] = [named('held'), named('approval'), named('scheduled')];
    ctx.log(
      JSON.stringify(
        {
          ...summary,
          waitingDigests: digests.waiting,
          nextDigestSlotAt: digests.nextSlotAt?.toISOString() ?? null,
          heldPosts: held,
          waitingPosts: waiting,
          scheduledPosts: scheduled,
          busyRetries,
        },
        null,
        2,
      ),
    );
    const slugs = (posts: { slug: string }[]) => posts.map((p) => p.slug).join(', ');
    if (waiting.length > 0)
      ctx.log(
        `\n${waiting.length} post(s) wait for you to send them (approval: manual): ${slugs(waiting)}. ` +
          `Send or schedule them at ${deps.config.siteUrl}/admin/posts`,
      );
    if (held.length > 0) ctx.log(`\n${held.length} post(s) held in the console, not sent: ${slugs(held)}. Release them at ${deps.config.siteUrl}/admin/posts`);
    if (scheduled.length > 0) ctx.log(`\n${scheduled.length} post(s) scheduled: ${scheduled.map((p) => `${p.slug} at ${p.sendAt}`).join(', ')}`);
    if (summary.sent > 0) ctx.log(`\n${summary.sent} email(s) captured: open ${deps.config.siteUrl}/dev/mail (with astro dev running)`);
    if (digests.waiting > 0) {
      ctx.log(
        `\n${digests.waiting} digest notification(s) wait for their slot (next: ${digests.nextSlotAt!.toISOString()}). ` +
          'To see a digest now: npx astro-d1-notify notify --digests-now',
      );
    }
    if (busyRetries > 0)
      ctx.log(`\nThe local D1 was busy ${busyRetries} time(s) (another run at the same time); every statement was retried and went through.`);
    return 0;
  } finally {
    await proxy.dispose();
  }
}

async function notifyRemote(url: string | undefined, ctx: CommandContext): Promise<number> {
  if (!url || !/^https?:\/\//.test(url))
    throw new UsageError('--remote needs --url with the site address (and prefix), e.g. --url https://blog.example.com/newsletter');
  const secret = ctx.env.PROCESS_SECRET?.trim();
  if (!secret) throw new UsageError('PROCESS_SECRET is not set: --remote needs the secret the deployed Worker has.');
  const endpoint = `${url.replace(/\/+$/, '')}/api/notifications/process`;
  // No redirects followed: a 301/302 would turn the POST into a GET (and could carry the bearer elsewhere).
  const response = await fetch(endpoint, { method: 'POST', headers: { authorization: `Bearer ${secret}` }, redirect: 'manual' }).catch(
    (error: Error & { cause?: { code?: string } }) => {
      throw new Error(`could not reach ${endpoint}: ${error.cause?.code ?? error.message}`);
    },
  );
  if (response.status >= 300 && response.status < 400) {
    throw new UsageError(
      `${endpoint} redirects (${response.status}) to ${response.headers.get('location') ?? 'elsewhere'}: give --url the site's final address.`,
    );
  }
  const body = await response.text();
  if (!response.ok) {
    let reason: { error?: string; reason?: string };
    try {
      reason = JSON.parse(body) as typeof reason;
    } catch {
      reason = { error: body.slice(0, 200) };
    }
    throw new Error(`${endpoint} answered ${response.status}: ${[reason.error, reason.reason].filter(Boolean).join(': ') || 'no reason given'}`);
  }
  ctx.log(body);
  return 0;
}
