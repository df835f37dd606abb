/** GET /admin/subscribers/export.csv?q=&status=&type=&frequency= — the filtered subscribers as a streamed CSV. */
import type { APIRoute } from 'astro';
import { parseSubscriberFilters } from '../../../../db/admin/subscribers';
import { exportResponse } from '../../../server/admin/import-export';
import { openAdminPage } from '../../../server/admin/request';
import { adminDb, adminSettings } from '../../../server/admin/runtime';

export const GET: APIRoute = async ({ request, locals, url }) => {
  const page = await openAdminPage(request, locals.user, adminSettings());
  if (page instanceof Response) return page;
  return exportResponse(adminDb(), parseSubscriberFilters(url.searchParams), page.identity.actor);
};
