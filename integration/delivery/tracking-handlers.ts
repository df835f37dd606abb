/**
 * The tracking routes' logic, with the database and settings passed in (the pages in
 * integration/pages/t/ only wire them): testable without a server.
 */
import type { Db } from '../../db/client';
import type { DeliveryConfig } from './config';
import { recordTrackingEvent, TRANSPARENT_GIF, verifyClick, verifyOpen } from './tracking';

/** `method`: only a GET is an open or a click; a HEAD (link checkers, prefetchers) gets the same answer and records nothing. */
type TrackingRequest = { db: Db; tracking: DeliveryConfig['tracking']; now: Date; ipAddress?: string | null; userAgent?: string | null; method?: string };

const counts = (req: TrackingRequest): boolean => (req.method ?? 'GET').toUpperCase() === 'GET';

const gif = () =>
  new Response(TRANSPARENT_GIF, {
    headers: { 'content-type': 'image/gif', 'cache-control': 'no-store, private', 'content-length': String(TRANSPARENT_GIF.length) },
  });

/** The open pixel: always the GIF; an `opened` event only when tracking is on and the signature is genuine. */
export async function openPixelResponse(req: TrackingRequest, file: string | undefined, sig: string | null): Promise<Response> {
  const match = /^(.+)\.gif$/.exec(file ?? '');
  const { enabled, secret } = req.tracking;
  if (!match || !sig || !enabled || !secret) return gif();
  const id = match[1]!;
  if (counts(req) && (await verifyOpen(secret, id, sig))) {
    await recordTrackingEvent(req.db, { notificationId: id, kind: 'opened', now: req.now, ipAddress: req.ipAddress, userAgent: req.userAgent });
  }
  return gif();
}

const badLink = () =>
  new Response('This link is not valid.\n', { status: 400, headers: { 'content-type': 'text/plain; charset=utf-8', 'cache-control': 'no-store' } });

/**
 * A click: 302 to the target only if it is http(s) and signed for this notification (it was
 * in that email); else 400, never an open redirect. With tracking later turned off, old links
 * still redirect but record nothing.
 */
export async function clickResponse(req: TrackingRequest, id: string | undefined, target: string | null, sig: string | null): Promise<Response> {
  const { enabled, secret } = req.tracking;
  if (!secret || !id) return badLink();
  const verified = await verifyClick(secret, id, target, sig);
  if (!verified) return badLink();
  if (enabled && counts(req)) {
    await recordTrackingEvent(req.db, { notificationId: id, kind: 'clicked', url: verified, now: req.now, ipAddress: req.ipAddress, userAgent: req.userAgent });
  }
  return new Response(null, { status: 302, headers: { location: verified, 'cache-control': 'no-store', 'referrer-policy': 'no-referrer' } });
}
