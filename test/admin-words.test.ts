/** The console's words for people (integration/server/admin/words.ts). */
import { describe, expect, it } from 'vitest';
import { choicesInWords, count, templateTitle, timelineText } from '../integration/server/admin/words';

describe('words', () => {
  it('counts agree with their nouns', () => {
    expect(count(1, 'reader')).toBe('1 reader');
    expect(count(7, 'reader')).toBe('7 readers');
    expect(count(0, 'reader')).toBe('0 readers');
    expect(count(1200, 'confirmation mail')).toBe('1,200 confirmation mails');
  });

  it('says choices as a sentence, and nothing as nothing', () => {
    expect(choicesInWords(['blog', 'thought'], 'immediate')).toBe('blog posts and thoughts, right away');
    expect(choicesInWords(['blog', 'thought', 'announcement'], 'daily')).toBe('blog posts, thoughts and announcements, in a daily digest');
    expect(choicesInWords([], 'weekly')).toBe('nothing');
  });

  it('names templates for people, and keeps a host-added one readable', () => {
    expect(templateTitle('blog_notification')).toBe('New blog post');
    expect(templateTitle('digest')).toBe('Digest (daily and weekly)');
    expect(templateTitle('my_custom_mail')).toBe('My custom mail');
  });

  it('keeps raw details out of a timeline line', () => {
    expect(timelineText({ action: 'delivered', details: { messageId: '<abc@mail.example>', provider: 'ses' }, title: 'Hello' })).toBe('“Hello” delivered');
    expect(timelineText({ action: 'subscribed', details: { source: 'import', contentTypes: ['thought'], frequency: 'weekly' } })).toBe(
      'Subscribed by an import: thoughts, in a weekly digest',
    );
    expect(
      timelineText({
        action: 'preferences_updated',
        details: { before: { contentTypes: ['blog'], frequency: 'daily' }, after: { contentTypes: [], frequency: 'daily', unsubscribeAll: true } },
      }),
    ).toBe('Changed choices: now nothing (unsubscribed from everything) (was blog posts, in a daily digest)');
    expect(timelineText({ action: 'sent', details: null, title: null })).toBe('an email sent');
  });
});
