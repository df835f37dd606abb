/** POST /admin/subscribers/:id/action — see integration/server/admin/subscribers.ts. */
import type { APIRoute } from 'astro';
import { handleAdminPost } from '../../../../server/admin/request';
import { adminDb, adminSettings } from '../../../../server/admin/runtime';
import { subscriberAction } from '../../../../server/admin/subscribers';

export const POST: APIRoute = ({ request, locals, params }) =>
  handleAdminPost(request, locals.user, adminSettings(), (ctx) => subscriberAction({ db: adminDb() }, ctx, params.id ?? ''));
