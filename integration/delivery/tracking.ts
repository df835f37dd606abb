/**
 * Open and click tracking (off unless TRACKING_ENABLED). Links are signed with
 * HMAC-SHA256(TRACKING_SECRET): the pixel over the notification id, a click over the id and
 * the exact target URL. A click redirects only to a URL whose signature checks, that is, a
 * URL that was put in that email, and only to http(s): never an open redirect.
 */
import type { Db } from '../../db/client';
import { recordTrackingEvent as recordEventRows, type TrackingEvent } from '../../db/feedback/delivery-events';

export type { TrackingEvent };

const encoder = new TextEncoder();

async function hmacKey(secret: string): Promise<CryptoKey> {
  return crypto.subtle.importKey('raw', encoder.encode(secret), { name: 'HMAC', hash: 'SHA-256' }, false, ['sign', 'verify']);
}

const base64url = (bytes: ArrayBuffer): string =>
  btoa(String.fromCharCode(...new Uint8Array(bytes)))
    .replace(/\+/g, '-')
    .replace(/\//g, '_')
    .replace(/=+$/, '');

function fromBase64url(value: string): Uint8Array<ArrayBuffer> | null {
  if (!/^[A-Za-z0-9_-]+$/.test(value)) return null;
  try {
    const binary = atob(value.replace(/-/g, '+').replace(/_/g, '/'));
    return Uint8Array.from(binary, (c) => c.charCodeAt(0));
  } catch {
    return null;
  }
}

// Domain separation: an open signature can never pass as a click signature.
const openMessage = (id: string) => `open\n${id}`;
const clickMessage = (id: string, url: string) => `click\n${id}\n${url}`;

async function sign(secret: string, message: string): Promise<string> {
  return base64url(await crypto.subtle.sign('HMAC', await hmacKey(secret), encoder.encode(message)));
}

/** Constant-time check (crypto.subtle.verify compares the MAC in constant time). */
async function verify(secret: string, message: string, signature: string): Promise<boolean> {
  const bytes = fromBase64url(signature);
  if (!bytes) return false;
  return crypto.subtle.verify('HMAC', await hmacKey(secret), bytes, encoder.encode(message));
}

const isHttpUrl = (value: string): boolean => {
  try {
    const url = new URL(value);
    return url.protocol === 'http:' || url.protocol === 'https:';
  } catch {
    return false;
  }
};

export async function openPixelUrl(siteUrl: string, secret: string, notificationId: string): Promise<string> {
  return `${siteUrl}/t/o/${encodeURIComponent(notificationId)}.gif?sig=${await sign(secret, openMessage(notificationId))}`;
}

export async function clickUrl(siteUrl: string, secret: string, notificationId: string, target: string): Promise<string> {
  if (!isHttpUrl(target)) return target; // only http(s) links are rewritten (and ever redirected to)
  const sig = await sign(secret, clickMessage(notificationId, target));
  return `${siteUrl}/t/c/${encodeURIComponent(notificationId)}?u=${encodeURIComponent(target)}&sig=${sig}`;
}

// An anchor's href in the email-safe body (integration/registry/email-body.ts writes every link absolute, `"`-quoted).
const ANCHOR_HREF = /(<a\b[^>]*?\shref=")([^"]*)(")/gi;
const ATTR_ENTITIES: Record<string, string> = { '&amp;': '&', '&quot;': '"', '&#39;': "'", '&#x27;': "'", '&lt;': '<', '&gt;': '>' };
const attrValue = (raw: string): string => raw.replace(/&(?:amp|quot|#39|#x27|lt|gt);/g, (e) => ATTR_ENTITIES[e]!);
const attrEscape = (value: string): string => value.replace(/&/g, '&amp;').replace(/"/g, '&quot;');

/**
 * The post's body with every http(s) link through this email's signed click redirect (the body is shared by every
 * reader, so this is per-reader work, done only with tracking on). One signature per distinct link.
 */
export async function trackBodyLinks(html: string, siteUrl: string, secret: string, notificationId: string): Promise<string> {
  const targets = new Set<string>();
  for (const m of html.matchAll(ANCHOR_HREF)) targets.add(attrValue(m[2]!));
  if (targets.size === 0) return html;
  const tracked = new Map(await Promise.all([...targets].map(async (t) => [t, await clickUrl(siteUrl, secret, notificationId, t)] as const)));
  return html.replace(ANCHOR_HREF, (_, open: string, raw: string, close: string) => `${open}${attrEscape(tracked.get(attrValue(raw))!)}${close}`);
}

export const verifyOpen = (secret: string, notificationId: string, sig: string): Promise<boolean> => verify(secret, openMessage(notificationId), sig);

/** The target if the link is genuine and http(s), else null. */
export async function verifyClick(secret: string, notificationId: string, target: string | null, sig: string | null): Promise<string | null> {
  if (!target || !sig || !isHttpUrl(target)) return null;
  return (await verify(secret, clickMessage(notificationId, target), sig)) ? target : null;
}

/** The 43-byte transparent GIF the open pixel answers with. */
export const TRANSPARENT_GIF = Uint8Array.from(atob('R0lGODlhAQABAIAAAAAAAP///yH5BAEAAAAALAAAAAABAAEAAAIBRAA7'), (c) => c.charCodeAt(0));

/** Records an open or a click (history always; statistics once per notification and kind). */
export const recordTrackingEvent = (db: Db, event: TrackingEvent): Promise<boolean> => recordEventRows(db, event);

/** Tracking's settings as the processor reads them (config.ts), for the tracking routes. */
export const trackingSettings = (s: Record<string, unknown>): { enabled: boolean; secret?: string } => ({
  enabled: s.TRACKING_ENABLED === true,
  ...(typeof s.TRACKING_SECRET === 'string' ? { secret: s.TRACKING_SECRET } : {}),
});
