/** POST /dev/mail/clear: empty the dev outbox (dev only; a POST, as GET never changes state). */
import type { APIRoute } from 'astro';
import { clearDevMail } from '../../../../db/delivery/dev-mail';
import { getDb, setting } from '../../../runtime';
import { devMailEnabled, notFound } from './_view';

export const POST: APIRoute = async ({ url }) => {
  if (!devMailEnabled(setting('MAIL_TRANSPORT'), url)) return notFound();
  await clearDevMail(getDb());
  return new Response(null, { status: 303, headers: { location: '/dev/mail', 'cache-control': 'no-store' } });
};
