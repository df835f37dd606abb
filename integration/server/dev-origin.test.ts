import { describe, expect, it } from 'vitest';
import { configModule } from '../vite-plugin';
import { devSiteUrl } from './dev-origin';

describe('emailed links under astro dev follow the port the server answers on', () => {
  it('replaces a loopback SITE_URL by the request origin in development, path kept', () => {
    expect(devSiteUrl('http://localhost:4321', 'http://localhost:4322', true)).toBe('http://localhost:4322');
    expect(devSiteUrl('http://localhost:4321/blog/', 'http://127.0.0.1:4323', true)).toBe('http://127.0.0.1:4323/blog');
    expect(devSiteUrl(undefined, 'http://localhost:4322', true)).toBe('http://localhost:4322');
  });

  it('keeps SITE_URL when it is not loopback (set on purpose), the request is not loopback, or the site is built', () => {
    expect(devSiteUrl('https://tunnel.example.com', 'http://localhost:4322', true)).toBe('https://tunnel.example.com');
    expect(devSiteUrl('http://localhost:4321', 'https://blog.example.com', true)).toBe('http://localhost:4321');
    expect(devSiteUrl('http://localhost:4321', 'http://localhost:4322', false)).toBe('http://localhost:4321');
    expect(devSiteUrl('http://localhost:4321', undefined, true)).toBe('http://localhost:4321');
  });

  it('the build tells the Worker whether it runs under astro dev', () => {
    const base = {
      routeBase: '',
      siteBase: '',
      siteName: undefined,
      binding: 'DB',
      ownRoutes: [],
      originPolicy: { hostCheckOrigin: true, hostExempt: [] },
      localeSettings: { defaultLocale: 'en', locales: ['en'] },
      messages: {},
    };
    expect(configModule({ ...base, devServer: true })).toContain('export const devServer = true;');
    expect(configModule({ ...base, devServer: false })).toContain('export const devServer = false;');
  });
});
