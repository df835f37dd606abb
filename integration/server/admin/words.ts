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
