/**
 * `npm run db:erase -- <email> [--remote]`: the author erases a reader on request (GDPR Art. 17),
 * the same erasure as "Delete my account" (db/data-rights.ts): the user row and everything that
 * cascades from it; only the suppression hash stays if the reader had unsubscribed or complained.
 */
import { parseArgs } from 'node:util';
import { eraseReaderOn, readerIdByEmail } from '../../db/data-rights';
import { normalizeEmail } from '../../db/users';
import { isMain, processContext, resolveCliTarget, runCli, TARGET_FLAGS, UsageError, withTarget, type CommandContext } from './db-target';

const HELP = `npm run db:erase -- <email> [--local | --remote] [--config wrangler.jsonc]
  Erases the reader with this address and everything stored about them, in one transaction.
  Keeps only a one-way hash on the suppression list if they had unsubscribed or complained.`;

export async function eraseCommand(args: readonly string[], ctx: CommandContext, now = new Date()): Promise<number> {
  let parsed;
  try {
    parsed = parseArgs({ args: [...args], options: { ...TARGET_FLAGS }, strict: true, allowPositionals: true });
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
  if (parsed.values.help) {
    ctx.log(HELP);
    return 0;
  }
  if (parsed.positionals.length !== 1) throw new UsageError('give exactly one email address: npm run db:erase -- reader@example.com');
  const raw = parsed.positionals[0]!;
  // eslint-disable-next-line no-control-regex
  if (raw.length > 320 || /[\u0000-\u001f\u007f]/.test(raw) || !raw.includes('@')) throw new UsageError('that is not an email address');
  const email = normalizeEmail(raw);
  const target = resolveCliTarget(parsed.values, ctx.env, ctx.root);
  const result = await withTarget(target, async (db) => {
    const reader = await readerIdByEmail(db, email);
    return reader ? eraseReaderOn(db, reader, { actor: 'cli', details: { via: 'db:erase' } }, now) : null;
  });
  if (!result) {
    ctx.log(`No reader with that address on ${target.label}: nothing erased.`);
    return 1;
  }
  ctx.log(
    `Erased the reader on ${target.label}.${result.suppressionKept ? ' Their address stays on the suppression list (as a hash only): it is never mailed again.' : ' Nothing about them remains.'}`,
  );
  return 0;
}

if (isMain(import.meta.url)) runCli(() => eraseCommand(process.argv.slice(2), processContext()));
