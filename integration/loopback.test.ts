import { describe, expect, it } from 'vitest';
import { devMailEnabled } from './pages/dev/mail/_view';
import { authenticateAdmin } from './server/admin/gate';
import { isLoopbackSiteUrl } from './delivery/settings-schema';
import { isLoopbackHost } from './loopback';

const LOOPBACK = [
  'http://localhost:4321',
  'http://127.0.0.1:4321',
  'http://127.0.0.2:8787',
  'http://127.255.255.254',
  'http://127.1',
  'http://[::1]:4321',
  'http://[0:0:0:0:0:0:0:1]',
];
const NOT_LOOPBACK = [
  'https://blog.example',
  'http://10.0.0.1',
  'http://128.0.0.1',
  'http://0.0.0.0',
  'http://foo.localhost',
  'http://localhost.example.com',
  'http://127.0.0.1.nip.io',
  'http://[::2]',
];

const bypass = async (origin: string) => {
  const result = await authenticateAdmin(new Request(`${origin}/admin`), null, { access: null, devBypass: true, mailTransport: 'dev' });
  return result.ok;
};

describe('one definition of loopback (127.0.0.0/8, ::1, localhost)', () => {
  it('the dev mail viewer, the console dev bypass and the local-preview settings agree on every host', async () => {
    for (const origin of LOOPBACK) {
      expect(isLoopbackHost(new URL(origin).hostname), origin).toBe(true);
      expect(isLoopbackSiteUrl(origin), origin).toBe(true);
      expect(devMailEnabled('dev', new URL(origin)), origin).toBe(true);
      expect(await bypass(origin), origin).toBe(true);
    }
    for (const origin of NOT_LOOPBACK) {
      expect(isLoopbackHost(new URL(origin).hostname), origin).toBe(false);
      expect(isLoopbackSiteUrl(origin), origin).toBe(false);
      expect(devMailEnabled('dev', new URL(origin)), origin).toBe(false);
      expect(await bypass(origin), origin).toBe(false);
    }
  });
});
