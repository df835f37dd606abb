import PostalMime from 'postal-mime';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { processNotifications } from '../integration/delivery/processor';
import { clickUrl, openPixelUrl, verifyClick } from '../integration/delivery/tracking';
import { clickResponse, openPixelResponse } from '../integration/delivery/tracking-handlers';
import { createFaultInjectionTransport } from './helpers/fault-injection';
import { createTestD1, type TestD1 } from './helpers/d1';
import { addContent, addReader, clearTables, rows, settableClock, SITE, testConfig } from './helpers/delivery';

let t: TestD1;
beforeAll(async () => {
  t = await createTestD1();
});
afterAll(async () => t?.dispose());
beforeEach(async () => clearTables(t.d1));

const SECRET = 'tracking-secret-for-tests';

describe('signed links', () => {
  it('a click verifies only for the exact URL and notification it was signed for, and only http(s)', async () => {
    const link = new URL(await clickUrl(SITE, SECRET, 'n1', 'https://blog.example.com/blog/a/?x=1&y=2'));
    const u = link.searchParams.get('u');
    const sig = link.searchParams.get('sig');
    expect(await verifyClick(SECRET, 'n1', u, sig)).toBe('https://blog.example.com/blog/a/?x=1&y=2');
    expect(await verifyClick(SECRET, 'n2', u, sig)).toBeNull();
    expect(await verifyClick(SECRET, 'n1', 'https://evil.example/', sig)).toBeNull();
    expect(await verifyClick('other-secret', 'n1', u, sig)).toBeNull();
    expect(await clickUrl(SITE, SECRET, 'n1', 'javascript:alert(1)')).toBe('javascript:alert(1)'); // never wrapped
    expect(await verifyClick(SECRET, 'n1', 'javascript:alert(1)', sig)).toBeNull();
    // An open signature is not a click signature.
    const pixelSig = new URL(await openPixelUrl(SITE, SECRET, 'n1')).searchParams.get('sig');
    expect(await verifyClick(SECRET, 'n1', u, pixelSig)).toBeNull();
  });
});

describe('tracking end to end', () => {
  it('when on, emails carry a pixel and signed content links; opens and clicks reach history and statistics', async () => {
    const time = settableClock('2026-11-25T10:00:00Z');
    const transport = createFaultInjectionTransport();
    const config = testConfig({ TRACKING_ENABLED: 'true', TRACKING_SECRET: SECRET });
    await addReader(t.db, 'reader@example.org');
    const item = await addContent(t.db, { publishDate: '2026-11-25T09:00:00Z' });
    await processNotifications({ db: t.db, transport, clock: time.clock, config });
    const mail = await PostalMime.parse(transport.sent[0]!.raw);
    const [row] = await rows<{ id: string }>(t.d1, 'SELECT id FROM email_notifications');

    // Attribute values as a browser reads them (Mustache escapes & / = in values).
    const html = mail
      .html!.replace(/&#x2F;/g, '/')
      .replace(/&#x3D;/g, '=')
      .replace(/&amp;/g, '&');
    const pixel = /src="([^"]+\/t\/o\/[^"]+)"/.exec(html)![1]!;
    const click = /href="([^"]+\/t\/c\/[^"]+)"/.exec(html)![1]!;
    expect(mail.text).toContain(item.contentUrl!); // the text part keeps the plain link
    expect(html).toContain(`${SITE}/unsubscribe?token=`); // unsubscribe links are never wrapped

    const req = { db: t.db, tracking: config.tracking, now: time.clock(), ipAddress: '203.0.113.7', userAgent: 'test' };
    const pixelUrl = new URL(pixel);
    // A HEAD (link checkers, prefetchers) gets the same answer and is neither an open nor a click.
    const head = { ...req, method: 'HEAD' };
    const headClick = await clickResponse(
      head,
      decodeURIComponent(new URL(click).pathname.split('/').pop()!),
      new URL(click).searchParams.get('u'),
      new URL(click).searchParams.get('sig'),
    );
    expect([headClick.status, headClick.headers.get('location')]).toEqual([302, item.contentUrl]);
    expect(
      (await openPixelResponse(head, decodeURIComponent(pixelUrl.pathname.split('/').pop()!), pixelUrl.searchParams.get('sig'))).headers.get('content-type'),
    ).toBe('image/gif');
    expect(await rows(t.d1, "SELECT action FROM email_notification_history WHERE action IN ('opened', 'clicked')")).toEqual([]);
    for (let i = 0; i < 2; i++) {
      const res = await openPixelResponse(req, decodeURIComponent(pixelUrl.pathname.split('/').pop()!), pixelUrl.searchParams.get('sig'));
      expect(res.headers.get('content-type')).toBe('image/gif');
    }
    const clickLink = new URL(click);
    const res = await clickResponse(
      req,
      decodeURIComponent(clickLink.pathname.split('/').pop()!),
      clickLink.searchParams.get('u'),
      clickLink.searchParams.get('sig'),
    );
    expect(res.status).toBe(302);
    expect(res.headers.get('location')).toBe(item.contentUrl);

    const events = await rows<{ action: string; notification_id: string; ip_address: string }>(
      t.d1,
      "SELECT action, notification_id, ip_address FROM email_notification_history WHERE action IN ('opened', 'clicked') ORDER BY action",
    );
    expect(events).toEqual([
      { action: 'clicked', notification_id: row!.id, ip_address: '203.0.113.7' },
      { action: 'opened', notification_id: row!.id, ip_address: '203.0.113.7' },
      { action: 'opened', notification_id: row!.id, ip_address: '203.0.113.7' },
    ]);
    const [stats] = await rows<{ total_opened: number; total_clicked: number }>(t.d1, "SELECT * FROM email_statistics WHERE content_type = 'blog'");
    expect(stats).toMatchObject({ total_opened: 1, total_clicked: 1 }); // unique per notification
  });

  it('refuses a tampered or foreign click target with 400 (no open redirect), and records nothing for a bad pixel', async () => {
    const tracking = { enabled: true, secret: SECRET };
    const req = { db: t.db, tracking, now: new Date() };
    const good = new URL(await clickUrl(SITE, SECRET, 'n1', `${SITE}/blog/a/`));
    const sig = good.searchParams.get('sig');
    expect((await clickResponse(req, 'n1', 'https://evil.example/phish', sig)).status).toBe(400);
    expect((await clickResponse(req, 'n1', `${SITE}/blog/a/`, 'AAAA')).status).toBe(400);
    expect((await clickResponse(req, 'n1', null, sig)).status).toBe(400);
    expect((await clickResponse({ ...req, tracking: { enabled: false } }, 'n1', `${SITE}/blog/a/`, sig)).status).toBe(400);
    // A genuine link to a notification that no longer exists still redirects (the signature proves the URL).
    expect((await clickResponse(req, 'n1', `${SITE}/blog/a/`, sig)).status).toBe(302);
    expect((await openPixelResponse(req, 'n1.gif', 'forged')).status).toBe(200);
    expect(await rows(t.d1, 'SELECT * FROM email_notification_history')).toEqual([]);
  });

  describe("the post's own links", () => {
    const body = {
      html:
        '<h2>Links</h2><p>See <a href="https://example.org/a?x=1&amp;y=2" style="color:#1d4ed8">this</a>, ' +
        '<a href="https://blog.example.com/blog/older/">an older post</a> and <a href="https://example.org/a?x=1&amp;y=2">this again</a>; ' +
        '<a href="mailto:ada@example.org">write</a>.</p>',
      text: 'Links\n\nSee this <https://example.org/a?x=1&y=2>.',
    };
    const send = async (config: ReturnType<typeof testConfig>) => {
      const transport = createFaultInjectionTransport();
      await addReader(t.db, 'reader@example.org');
      const item = await addContent(t.db, { publishDate: '2026-11-25T09:00:00Z' });
      await t.d1.prepare('UPDATE content_items SET email_html = ?2, email_text = ?3 WHERE slug = ?1').bind(item.slug, body.html, body.text).run();
      await processNotifications({ db: t.db, transport, clock: settableClock('2026-11-25T10:00:00Z').clock, config });
      const [row] = await rows<{ id: string }>(t.d1, 'SELECT id FROM email_notifications');
      return { mail: await PostalMime.parse(transport.sent[0]!.raw), id: row!.id };
    };

    it("with tracking on, each goes through this email's signed click link (the text part keeps plain links)", async () => {
      const { mail, id } = await send(testConfig({ TRACKING_ENABLED: 'true', TRACKING_SECRET: SECRET }));
      const section = mail.html!.slice(mail.html!.indexOf('<h2>Links</h2>'), mail.html!.indexOf('write</a>'));
      const hrefs = [...section.matchAll(/href="([^"]*)"/g)].map((m) => m[1]!.replace(/&amp;/g, '&'));
      expect(hrefs).toHaveLength(4);
      const targets = await Promise.all(
        hrefs.slice(0, 3).map((href) => {
          const url = new URL(href);
          expect(url.pathname).toBe(`/t/c/${id}`);
          return verifyClick(SECRET, id, url.searchParams.get('u'), url.searchParams.get('sig'));
        }),
      );
      expect(targets).toEqual(['https://example.org/a?x=1&y=2', 'https://blog.example.com/blog/older/', 'https://example.org/a?x=1&y=2']);
      expect(hrefs[3]).toBe('mailto:ada@example.org'); // only http(s) links are wrapped
      expect(section).toContain('style="color:#1d4ed8"');
      expect(mail.text).toContain('See this <https://example.org/a?x=1&y=2>.');
    });

    it('with tracking off, the body is the one every reader gets, links as the post has them', async () => {
      const { mail } = await send(testConfig());
      expect(mail.html).toContain(body.html);
    });
  });

  it('when off (the default), emails have no pixel and plain links', async () => {
    const time = settableClock('2026-11-25T10:00:00Z');
    const transport = createFaultInjectionTransport();
    await addReader(t.db, 'reader@example.org');
    await addContent(t.db, { publishDate: '2026-11-25T09:00:00Z' });
    await processNotifications({ db: t.db, transport, clock: time.clock, config: testConfig() });
    const mail = await PostalMime.parse(transport.sent[0]!.raw);
    expect(mail.html).not.toContain('/t/o/');
    expect(mail.html).not.toContain('/t/c/');
  });
});
