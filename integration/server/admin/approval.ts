/**
 * The send step in words: who a waiting post goes to ("42 right away, 17 in tomorrow's daily
 * digest") and why it has not gone out. Pure functions of the counts (db/admin/posts.ts
 * `waitingPosts` / `postRecipients`) and the digest slots (db/delivery/digest-schedule.ts).
 */
import type { ListedPost, ProgressStatus, WaitingPost } from '../../../db/admin/posts';
import { nextDigestSlots } from '../../../db/delivery/digest-schedule';
import { count } from './words';

export const utcTime = (d: Date) => `${d.toISOString().slice(0, 16).replace('T', ' ')} UTC`;

const DAY_MS = 86_400_000;
const dayNumber = (d: Date) => Math.floor(d.getTime() / DAY_MS);

/** "today's", "tomorrow's", or "Tue 8 Dec's" (UTC days, the console's one clock). */
function whichDay(slot: Date, now: Date): string {
  const ahead = dayNumber(slot) - dayNumber(now);
  if (ahead === 0) return "today's";
  if (ahead === 1) return "tomorrow's";
  return `${slot.toLocaleDateString('en-GB', { weekday: 'short', day: 'numeric', month: 'short', timeZone: 'UTC' })}'s`;
}

/**
 * "42 readers right away, 17 in tomorrow's daily digest, 3 in Mon 14 Dec's weekly digest", as
 * it would be if the post went out at `from` (now, or its scheduled time): the digest a
 * reader's row joins is the next slot after the fan-out.
 */
export function recipientsInWords(p: Pick<WaitingPost, 'recipients'>, from: Date, now: Date, digest: { hourUtc: number; weeklyDay: number }): string {
  const slots = nextDigestSlots(from, digest);
  const { immediate, daily, weekly } = p.recipients;
  const parts = [`${count(immediate, 'reader')} right away`];
  if (daily > 0) parts.push(`${daily.toLocaleString('en-US')} in ${whichDay(slots.daily, now)} daily digest`);
  if (weekly > 0) parts.push(`${weekly.toLocaleString('en-US')} in ${whichDay(slots.weekly, now)} weekly digest`);
  return parts.join(', ');
}

/** When the post's fan-out would happen: its schedule, its publish date, or now, whichever is latest. */
export const goesOutAt = (p: Pick<WaitingPost, 'sendAt' | 'publishDate'>, now: Date): Date =>
  new Date(Math.max(now.getTime(), p.publishDate.getTime(), p.sendAt?.getTime() ?? 0));

/** Why it has not gone out, in a few words. */
export function stateInWords(p: Pick<WaitingPost, 'state' | 'sendAt' | 'publishDate'>, now: Date): string {
  switch (p.state) {
    case 'approval':
      return 'waits for you to send it';
    case 'held':
      return 'held by you';
    case 'scheduled':
      return `scheduled for ${utcTime(p.sendAt!)}`;
    default:
      return p.publishDate > now ? `goes out when published, ${utcTime(p.publishDate)}` : 'goes out with the next delivery run';
  }
}

/** The post page's sentence: "This post waits for you to send it." / "This post is held by you." */
export function stateSentence(p: Pick<WaitingPost, 'state' | 'sendAt' | 'publishDate'>, now: Date): string {
  const words = stateInWords(p, now);
  return `This post ${p.state === 'held' || p.state === 'scheduled' ? 'is ' : ''}${words}.`;
}

type LabelledPost = Pick<ListedPost, 'awaitingApproval' | 'deliveryHeld' | 'notificationSent' | 'sendAt' | 'progress'>;
const rows = (p: LabelledPost, s: ProgressStatus) => p.progress[s].immediate + p.progress[s].digest;

/**
 * The one-word state of a post, the same on the list and the post page. A post whose unsent mail
 * the author cancelled reads "Cancelled" (not "Fanned out"): cancelled rows and nothing left to go.
 */
export function postStateLabel(p: LabelledPost, now: Date): string {
  if (p.awaitingApproval) return 'Waiting for you';
  if (p.deliveryHeld) return 'Held';
  if (p.notificationSent) {
    const left = rows(p, 'pending') + rows(p, 'sending') + rows(p, 'failed');
    return rows(p, 'cancelled') > 0 && left === 0 ? 'Cancelled' : 'Fanned out';
  }
  return p.sendAt && p.sendAt > now ? 'Scheduled' : 'Waiting';
}
