import { describe, expect, it } from 'vitest';
import { mountRedirect } from './mount';

const redirect = (location: string) => new Response(null, { status: 303, headers: { location } });
const locationOf = (r: Response) => r.headers.get('location');

describe('mountRedirect', () => {
  it('mounts an app-relative redirect of one of our routes under the route base', () => {
    expect(locationOf(mountRedirect(redirect('/preferences?saved=1'), '/journal/news/preferences', '/journal/news'))).toBe('/journal/news/preferences?saved=1');
    expect(locationOf(mountRedirect(redirect('/admin/posts/x?notice=Held'), '/journal/news/admin/posts/x/action', '/journal/news'))).toBe(
      '/journal/news/admin/posts/x?notice=Held',
    );
  });

  it('leaves alone: no base, other routes, absolute and protocol-relative URLs, already-mounted paths', () => {
    expect(locationOf(mountRedirect(redirect('/preferences'), '/preferences', ''))).toBe('/preferences');
    expect(locationOf(mountRedirect(redirect('/elsewhere'), '/journal/posts/a', '/journal/news'))).toBe('/elsewhere');
    expect(locationOf(mountRedirect(redirect('https://x.example/'), '/journal/news/verify', '/journal/news'))).toBe('https://x.example/');
    expect(locationOf(mountRedirect(redirect('//evil.example/'), '/journal/news/verify', '/journal/news'))).toBe('//evil.example/');
    expect(locationOf(mountRedirect(redirect('/\\evil.example/'), '/journal/news/verify', '/journal/news'))).toBe('/\\evil.example/');
    expect(locationOf(mountRedirect(redirect('/journal/news/preferences'), '/journal/news/verify', '/journal/news'))).toBe('/journal/news/preferences');
    expect(mountRedirect(new Response('ok'), '/journal/news/verify', '/journal/news').headers.has('location')).toBe(false);
  });
});
