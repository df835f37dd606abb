import { describe, expect, it } from 'vitest';
import { withD1Binding } from './deps';

const d1 = (name: string) => ({ name, prepare: () => undefined }) as unknown as D1Database;

describe('withD1Binding: the `binding` option holds in the Worker', () => {
  it('reads the database from the binding the host named, for every reader of env.DB', () => {
    const news = d1('news');
    const env = withD1Binding({ DB: d1('other'), NEWS_DB: news, SITE_URL: 'https://e.example' }, 'NEWS_DB');
    expect(env.DB).toBe(news);
    expect(env.SITE_URL).toBe('https://e.example');
  });

  it('names the missing binding instead of failing later on undefined', () => {
    expect(() => withD1Binding({ DB: d1('db') }, 'NEWS_DB')).toThrow(/No D1 binding named NEWS_DB/);
  });
});
