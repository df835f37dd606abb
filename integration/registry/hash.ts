/** What an email shows of an entry; the hash covers exactly this. */
export type HashedFields = {
  title: string;
  description?: string | null;
  /** Publish date; only its instant counts. */
  date: Date;
  tags?: readonly string[];
  body: string;
  /** What the email carries beyond the frontmatter: the email-safe body, author, hero image (absent: not hashed). */
  email?: readonly (string | null)[];
};

/** Frontmatter strings compare without surrounding or repeated whitespace. */
const squash = (s: string): string => s.replace(/\s+/g, ' ').trim();

/**
 * A stable serialisation: fixed field order (so frontmatter key order is irrelevant),
 * whitespace-normalised frontmatter, line-ending-normalised body.
 */
export function serializeForHash(fields: HashedFields): string {
  const description = fields.description == null ? '' : squash(fields.description);
  return JSON.stringify([
    squash(fields.title),
    description,
    fields.date.toISOString(),
    (fields.tags ?? []).map(squash).filter(Boolean),
    // Whitespace inside the body can matter to Markdown; only line endings and the ends are normalised.
    fields.body.replace(/\r\n?/g, '\n').trim(),
    // The rendered body changes with the site's plugins and the email mode, not only the Markdown.
    ...(fields.email ? [fields.email] : []),
  ]);
}

/** SHA-256 (Web Crypto), lower-case hex. */
export async function contentHash(fields: HashedFields): Promise<string> {
  const bytes = new TextEncoder().encode(serializeForHash(fields));
  const digest = await crypto.subtle.digest('SHA-256', bytes);
  return Array.from(new Uint8Array(digest), (b) => b.toString(16).padStart(2, '0')).join('');
}
