import { describe, expect, it } from 'vitest';
import { answerableErrorText } from './safe-error';

describe('answerableErrorText', () => {
  it('never lets a runtime internal error text into an answer', () => {
    for (const text of ['internal error; reference = 6ak2b9x8q1', 'Network connection lost.', 'D1_ERROR: no such table: x', 'Failed query: insert into …']) {
      expect(answerableErrorText(new Error(text), 'try again'), text).toBe('try again');
    }
    expect(answerableErrorText(new Error('Unclosed section "items" at 12'), 'try again')).toBe('Unclosed section "items" at 12');
  });
});
