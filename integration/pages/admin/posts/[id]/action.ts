/** POST /admin/posts/:id/action — see integration/server/admin/posts.ts. */
import type { APIRoute } from 'astro';
import { postAction } from '../../../../server/admin/posts';
import { handleAdminPost } from '../../../../server/admin/request';
import { adminSettings, postActionDeps } from '../../../../server/admin/runtime';

export const POST: APIRoute = ({ request, locals, params }) =>
  handleAdminPost(request, locals.user, adminSettings(), (ctx) => postAction(postActionDeps(), ctx, params.id ?? ''));
