/**
 * Read the body before answering. A response sent while the request body is still unread
 * (a 403 from the Origin check, a 401 from a webhook, a 405, a 503) leaves the body in the
 * connection, and the local runtime's proxy (`astro preview`, `wrangler dev`) then answers the
 * NEXT request on that connection with a 500 ("Network connection lost"). The middleware runs
 * every request through `finishRequest`, so whichever route answered, the body has been read.
 * On a loopback host (that local runtime) to the end, as a cut-off body breaks the next request the
 * same way; on a deployed site, which has no such proxy, up to MAX_DRAIN_BYTES and then cancelled,
 * so a refusal there never costs an unbounded read.
 */
import { isLoopbackUrl } from '../loopback';

export const MAX_DRAIN_BYTES = 1024 * 1024;

/** How much of a refused body is read: all of it on a developer's machine, MAX_DRAIN_BYTES elsewhere. */
export const drainLimit = (request: Request): number => (isLoopbackUrl(new URL(request.url)) ? Number.POSITIVE_INFINITY : MAX_DRAIN_BYTES);

/** Reads and discards what is left of the body, at most `max` bytes; never throws. */
export async function drainRequestBody(request: Request, max = drainLimit(request)): Promise<void> {
  if (!request.body || request.bodyUsed || request.body.locked) return;
  const reader = request.body.getReader();
  let size = 0;
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) return;
      size += value.byteLength;
      if (size > max) {
        await reader.cancel();
        return;
      }
    }
  } catch {
    // A client that went away: nothing left to drain.
  } finally {
    reader.releaseLock();
  }
}

/** Runs the handler, then drains whatever body it left unread, before the answer leaves. */
export async function finishRequest(request: Request, handle: () => Promise<Response>): Promise<Response> {
  try {
    return await handle();
  } finally {
    await drainRequestBody(request);
  }
}
