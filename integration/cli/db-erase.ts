/**
 * `npx astro-d1-notify db:erase <email> [--remote]`: the author erases a reader on request
 * (GDPR Art. 17), the same erasure as "Delete my account" (db/readers/data-rights.ts): the user row and
 * everything that cascades from it; only the suppression hash stays if the reader had
 * unsubscribed or complained.
 */
import { eraseReaderOn, readerIdByEmail } from '../../db/readers/data-rights';
import { normalizeEmail } from '../../db/readers/users';
import { parseEmailArgs, resolveCliTarget, withTarget, type CommandContext } from './db-target';

export async function eraseCommand(args: readonly string[], ctx: CommandContext, now = new Date()): Promise<number> {
  const { values, email: raw } = parseEmailArgs(args, {}, 'npx astro-d1-notify db:erase reader@example.com');
  const email = normalizeEmail(raw);
  const target = resolveCliTarget(values, ctx.env, ctx.root);
  const result = await withTarget(target, async (db) => {
    const reader = await readerIdByEmail(db, email);
    return reader ? eraseReaderOn(db, reader, { actor: 'cli', details: { via: 'db:erase' } }, now) : null;
  });
  if (!result) {
    ctx.log(`No reader with that address on ${target.label}: nothing erased.`);
    return 1;
  }
  ctx.log(
    `Erased the reader on ${target.label}.` +
      (result.suppressionKept ? ' Their address stays on the suppression list (as a hash only): it is never mailed again.' : ' Nothing about them remains.'),
  );
  return 0;
}
