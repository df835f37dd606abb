/** Words for people in the console: counts that agree with their nouns, choices in plain words. */
import type { ContentType, EmailFrequency } from '../../../db/schema';

const number = (n: number) => n.toLocaleString('en-US');

/** "1 reader", "7 readers" (English plurals: the plural form is given when it is not noun + s). */
export function count(n: number, one: string, many = `${one}s`): string {
  return `${number(n)} ${n === 1 ? one : many}`;
}

const TYPE_WORDS: Record<ContentType, string> = { blog: 'blog posts', thought: 'thoughts', announcement: 'announcements' };
const FREQUENCY_WORDS: Record<EmailFrequency, string> = { immediate: 'right away', daily: 'in a daily digest', weekly: 'in a weekly digest' };

/** "blog posts and thoughts, in a daily digest"; "nothing" when no type is chosen. */
export function choicesInWords(types: readonly ContentType[], frequency: EmailFrequency): string {
  if (types.length === 0) return 'nothing';
  const words = types.map((t) => TYPE_WORDS[t]);
  const list = words.length === 1 ? words[0]! : `${words.slice(0, -1).join(', ')} and ${words.at(-1)}`;
  return `${list}, ${FREQUENCY_WORDS[frequency]}`;
}

const TEMPLATE_NAMES: Record<string, string> = {
  blog_notification: 'New blog post',
  thought_notification: 'New thought',
  announcement_notification: 'New announcement',
  digest: 'Digest (daily and weekly)',
  verification: 'Confirm subscription',
  sign_in_link: 'Sign-in link',
  set_password: 'Set a password',
  welcome: 'Welcome',
};

/** A template's name for people ("New blog post"); an unknown (host-added) template keeps its own. */
export const templateTitle = (name: string): string => TEMPLATE_NAMES[name] ?? name.replace(/_/g, ' ').replace(/^./, (c) => c.toUpperCase());

type Entry = { action: string; details: Record<string, unknown> | null; title?: string | null; actor?: string };

const asChoices = (v: unknown): string | null => {
  if (!v || typeof v !== 'object') return null;
  const c = v as { contentTypes?: unknown; frequency?: unknown; unsubscribeAll?: unknown };
  if (c.unsubscribeAll === true) return 'nothing (unsubscribed from everything)';
  if (!Array.isArray(c.contentTypes) || typeof c.frequency !== 'string') return null;
  return choicesInWords(c.contentTypes as ContentType[], c.frequency as EmailFrequency);
};

const quoted = (title: string | null | undefined) => (title ? `“${title}”` : 'an email');

/**
 * One timeline line in words: which post an email was about, what a reader chose. Raw details
 * (Message-IDs, provider payloads) stay out of this line; the page shows them folded away.
 */
export function timelineText(e: Entry): string {
  const d = e.details ?? {};
  const post = quoted(e.title);
  const source = typeof d.source === 'string' ? d.source : null;
  switch (e.action) {
    case 'queued':
      return `${post} queued`;
    case 'sent':
      return `${post} sent`;
    case 'delivered':
      return `${post} delivered`;
    case 'opened':
      return `Opened ${post}`;
    case 'clicked':
      return `Clicked a link in ${post}`;
    case 'bounced':
      return `${post} bounced`;
    case 'complained':
      return `Marked ${post} as spam`;
    case 'failed':
      return `${post} could not be sent`;
    case 'retry_scheduled':
      return `${post}: sending failed, will retry`;
    case 'cancelled':
      return `${post} cancelled${typeof d.reason === 'string' ? ` (${d.reason})` : ''}`;
    case 'subscribed': {
      const chose = asChoices(d);
      return `Subscribed${source === 'import' ? ' by an import' : ''}${chose ? `: ${chose}` : ''}`;
    }
    case 'verified':
      return 'Confirmed their address';
    case 'unsubscribed':
      return source === 'admin' ? 'Unsubscribed by the author' : 'Unsubscribed from everything';
    case 'preferences_updated': {
      const now = asChoices(d.after) ?? asChoices(d);
      const before = asChoices(d.before);
      const by = source === 'import' ? ' by an import' : '';
      return now ? `Changed choices${by}: now ${now}${before ? ` (was ${before})` : ''}` : `Changed choices${by}`;
    }
    case 'subscriber_suppressed':
      return 'Address suppressed by the author';
    case 'subscriber_unsubscribed':
      return 'Unsubscribed by the author';
    default:
      return e.action.replace(/_/g, ' ').replace(/^./, (c) => c.toUpperCase());
  }
}
