/** GET /dev/mail/:id/raw: the message exactly as sent, as an .eml download (dev only). */
import type { APIRoute } from 'astro';
import { getDevMail } from '../../../../../db/delivery/dev-mail';
import { getDb, setting } from '../../../../runtime';
import { devMailEnabled, emlFileName, notFound, VIEWER_HEADERS } from '../_view';

export const GET: APIRoute = async ({ params, url }) => {
  if (!devMailEnabled(setting('MAIL_TRANSPORT'), url)) return notFound();
  const mail = await getDevMail(getDb(), params.id ?? '');
  if (!mail) return notFound();
  return new Response(mail.raw, {
    headers: {
      ...VIEWER_HEADERS,
      'content-type': 'message/rfc822',
      'content-disposition': `attachment; filename="${emlFileName(mail.id)}"`,
      'x-content-type-options': 'nosniff',
    },
  });
};
