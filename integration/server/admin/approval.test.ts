import { describe, expect, it } from 'vitest';
import { emptyProgress, type Progress } from '../../../db/admin/posts';
import { goesOutAt, postStateLabel, recipientsInWords, stateSentence } from './approval';

const NOW = new Date('2026-12-07T10:00:00Z'); // a Monday, after the 08:00 digest slot
const DIGEST = { hourUtc: 8, weeklyDay: 1 };
const post = (immediate: number, daily: number, weekly: number) => ({ recipients: { immediate, daily, weekly } });

describe('recipientsInWords', () => {
  it('names the digest each reader joins, for the time the post goes out', () => {
    expect(recipientsInWords(post(42, 17, 3), NOW, NOW, DIGEST)).toBe("42 readers right away, 17 in tomorrow's daily digest, 3 in Mon 14 Dec's weekly digest");
    expect(recipientsInWords(post(1, 2, 0), new Date('2026-12-07T07:00:00Z'), new Date('2026-12-07T07:00:00Z'), DIGEST)).toBe(
      "1 reader right away, 2 in today's daily digest",
    );
    // Scheduled for Thursday: Friday's digest.
    expect(recipientsInWords(post(0, 5, 0), new Date('2026-12-10T09:00:00Z'), NOW, DIGEST)).toBe("0 readers right away, 5 in Fri 11 Dec's daily digest");
  });
});

describe('goesOutAt and stateSentence', () => {
  it('takes the latest of now, the publish date and the schedule, and says why a post waits', () => {
    const sendAt = new Date('2026-12-08T07:30:00Z');
    expect(goesOutAt({ sendAt, publishDate: new Date('2026-12-01T00:00:00Z') }, NOW)).toEqual(sendAt);
    expect(goesOutAt({ sendAt: null, publishDate: new Date('2026-12-09T00:00:00Z') }, NOW)).toEqual(new Date('2026-12-09T00:00:00Z'));
    expect(stateSentence({ state: 'scheduled', sendAt, publishDate: NOW }, NOW)).toBe('This post is scheduled for 2026-12-08 07:30 UTC.');
    expect(stateSentence({ state: 'held', sendAt: null, publishDate: NOW }, NOW)).toBe('This post is held by you.');
    expect(stateSentence({ state: 'approval', sendAt: null, publishDate: NOW }, NOW)).toBe('This post waits for you to send it.');
    expect(stateSentence({ state: 'due', sendAt: null, publishDate: new Date('2026-12-09T00:00:00Z') }, NOW)).toBe(
      'This post goes out when published, 2026-12-09 00:00 UTC.',
    );
  });
});

describe('postStateLabel', () => {
  const progress = (over: Partial<Progress>): Progress => ({ ...emptyProgress(), ...over });
  const base: Parameters<typeof postStateLabel>[0] = {
    awaitingApproval: false,
    deliveryHeld: false,
    notificationSent: true,
    sendAt: null,
    progress: progress({}),
  };

  it('says Cancelled when the author cancelled what was left, and Fanned out while mail is still to go', () => {
    expect(postStateLabel({ ...base, progress: progress({ cancelled: { immediate: 3, digest: 1 } }) }, NOW)).toBe('Cancelled');
    expect(postStateLabel({ ...base, progress: progress({ cancelled: { immediate: 1, digest: 0 }, pending: { immediate: 0, digest: 2 } }) }, NOW)).toBe(
      'Fanned out',
    );
    expect(postStateLabel(base, NOW)).toBe('Fanned out');
  });

  it('puts the author first: waiting for you, then held, then scheduled or waiting', () => {
    expect(postStateLabel({ ...base, awaitingApproval: true, deliveryHeld: true, notificationSent: false }, NOW)).toBe('Waiting for you');
    expect(postStateLabel({ ...base, deliveryHeld: true, progress: progress({ cancelled: { immediate: 1, digest: 0 } }) }, NOW)).toBe('Held');
    expect(postStateLabel({ ...base, notificationSent: false, sendAt: new Date('2026-12-08T00:00:00Z') }, NOW)).toBe('Scheduled');
    expect(postStateLabel({ ...base, notificationSent: false, sendAt: new Date('2026-12-06T00:00:00Z') }, NOW)).toBe('Waiting');
  });
});
