import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ROOT } from '../../test/helpers/d1';
import { parseOptions } from '../options';
import { resolveTarget } from './target';

const creds = { CLOUDFLARE_ACCOUNT_ID: 'acc', CLOUDFLARE_API_TOKEN: 'tok' };

describe('resolveTarget', () => {
  it('local: the DB binding of wrangler.jsonc and wrangler’s own state directory', () => {
    expect(resolveTarget(parseOptions(), ROOT, {})).toMatchObject({
      kind: 'local',
      configPath: join(ROOT, 'wrangler.jsonc'),
      binding: 'DB',
      persist: join(ROOT, '.wrangler/state/v3'),
    });
  });

  it('remote: database id from wrangler.jsonc unless an option or env var overrides it', () => {
    expect(resolveTarget(parseOptions({ target: 'remote' }), ROOT, creds)).toMatchObject({
      kind: 'remote',
      accountId: 'acc',
      apiToken: 'tok',
      databaseId: '00000000-0000-0000-0000-000000000000',
      apiBase: 'https://api.cloudflare.com/client/v4',
    });
    const env = { CLOUDFLARE_D1_DATABASE_ID: 'from-env', CLOUDFLARE_API_BASE_URL: 'http://127.0.0.1:1/client/v4' };
    expect(resolveTarget(parseOptions({ target: 'remote' }, env), ROOT, creds)).toMatchObject({ databaseId: 'from-env', apiBase: env.CLOUDFLARE_API_BASE_URL });
  });

  it('remote without credentials names the missing variable', () => {
    expect(() => resolveTarget(parseOptions({ target: 'remote' }), ROOT, { CLOUDFLARE_API_TOKEN: 'tok' })).toThrow(/^CLOUDFLARE_ACCOUNT_ID is not set/);
    expect(() => resolveTarget(parseOptions({ target: 'remote' }), ROOT, { CLOUDFLARE_ACCOUNT_ID: 'acc', CLOUDFLARE_API_TOKEN: ' ' })).toThrow(
      /^CLOUDFLARE_API_TOKEN is not set/,
    );
  });
});
