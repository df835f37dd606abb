/**
 * The address checks of db:integrity, which SQL cannot express: every stored address must pass
 * the one rule (db/readers/email-address.ts) in its normalised form, and carry `users.email_hash` equal
 * to addressHash(email), the key the suppression list joins on (db/feedback/suppressions.ts). Read in
 * keyset pages (one query per page), checked in JS.
 */
import { addressHash } from '../crypto';
import { emailAddressProblem, normalizeEmail } from '../readers/email-address';
import { stmt, type SqlRunner } from '../sql-runner';

const PAGE = 5_000;

export type AddressFindings = { invalid: { count: number; sample: string[] }; hash: { count: number; sample: string[] } };

export async function checkStoredAddresses(db: SqlRunner, sampleSize: number): Promise<AddressFindings> {
  const out: AddressFindings = { invalid: { count: 0, sample: [] }, hash: { count: 0, sample: [] } };
  const note = (f: { count: number; sample: string[] }, id: string) => {
    f.count++;
    if (f.sample.length < sampleSize) f.sample.push(id);
  };
  for (let after = ''; ; ) {
    const rows = await db.query<{ id: string; email: string; email_hash: string | null }>(
      stmt('SELECT id, email, email_hash FROM users WHERE id > ?1 ORDER BY id LIMIT ?2', after, PAGE),
    );
    for (const r of rows) {
      if (normalizeEmail(r.email) !== r.email || emailAddressProblem(r.email) !== null) note(out.invalid, r.id);
      if (r.email_hash !== (await addressHash(r.email))) note(out.hash, r.id);
    }
    if (rows.length < PAGE) return out;
    after = rows.at(-1)!.id;
  }
}
