/** GET /dev/mail/:id/html: the HTML part alone, under a strict CSP with a sandbox (dev only). */
import type { APIRoute } from 'astro';
import { getDevMail } from '../../../../../db/delivery/dev-mail';
import { getDb, setting } from '../../../../runtime';
import { devMailEnabled, HTML_PART_CSP, messageView, notFound, openLinksInNewTab, VIEWER_HEADERS } from '../_view';

export const GET: APIRoute = async ({ params, url }) => {
  if (!devMailEnabled(setting('MAIL_TRANSPORT'), url)) return notFound();
  const mail = await getDevMail(getDb(), params.id ?? '');
  if (!mail) return notFound();
  const view = await messageView(mail.raw);
  if (view.html === undefined) return notFound();
  return new Response(openLinksInNewTab(view.html), {
    headers: {
      ...VIEWER_HEADERS,
      'content-type': 'text/html; charset=utf-8',
      'content-security-policy': HTML_PART_CSP,
      'x-content-type-options': 'nosniff',
    },
  });
};
