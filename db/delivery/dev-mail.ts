// The dev capture outbox (development only): what the dev transport "sent".
import { desc, eq, lt, sql } from 'drizzle-orm';
import { nanoid } from 'nanoid';
import type { Db } from '../client';
import { devMailOutbox, type DevMail } from '../schema';

type DevMailSummary = Omit<DevMail, 'raw'>;

type CapturedMail = { toAddress: string; subject: string; messageIdHeader: string; raw: string };

const DEFAULT_LIST_LIMIT = 200;

export async function captureDevMail(db: Db, mail: CapturedMail): Promise<DevMail> {
  const [row] = await db
    .insert(devMailOutbox)
    .values({ id: nanoid(), ...mail })
    .returning();
  if (!row) throw new Error('dev_mail_outbox insert returned no row');
  return row;
}

/** Newest first; insertion order breaks ties within a second. `to` keeps one recipient's mail. */
export function listDevMail(db: Db, options: { limit?: number; to?: string } = {}): Promise<DevMailSummary[]> {
  return db
    .select({
      id: devMailOutbox.id,
      toAddress: devMailOutbox.toAddress,
      subject: devMailOutbox.subject,
      messageIdHeader: devMailOutbox.messageIdHeader,
      createdAt: devMailOutbox.createdAt,
    })
    .from(devMailOutbox)
    .where(options.to ? eq(devMailOutbox.toAddress, options.to.trim().toLowerCase()) : undefined)
    .orderBy(desc(devMailOutbox.createdAt), desc(sql`rowid`))
    .limit(options.limit ?? DEFAULT_LIST_LIMIT);
}

export async function getDevMail(db: Db, id: string): Promise<DevMail | undefined> {
  const [row] = await db.select().from(devMailOutbox).where(eq(devMailOutbox.id, id)).limit(1);
  return row;
}

/** Outbox rows older than `before`, unexecuted (for db:retention's batch). */
export const oldDevMailQuery = (db: Db, before: Date) => db.delete(devMailOutbox).where(lt(devMailOutbox.createdAt, before));

export async function clearDevMail(db: Db): Promise<void> {
  await db.delete(devMailOutbox);
}
