/**
 * Amazon SNS message signatures, verified with Web Crypto (AWS "Verifying the signatures of
 * Amazon SNS messages"): the certificate must come over https from `sns.<region>.amazonaws.com`,
 * the string to sign is rebuilt from the message's own fields in the documented order, and the
 * signature is RSASSA-PKCS1-v1_5 with SHA-1 (SignatureVersion 1) or SHA-256 (version 2).
 */
import { fromBER, Sequence } from 'asn1js';
import { str } from '../webhook-common';

export type SnsMessage = {
  Type: 'Notification' | 'SubscriptionConfirmation' | 'UnsubscribeConfirmation';
  MessageId: string;
  TopicArn: string;
  Message: string;
  Timestamp: string;
  SignatureVersion: '1' | '2';
  Signature: string;
  SigningCertURL: string;
  Subject?: string;
  SubscribeURL?: string;
  Token?: string;
};

/** The field names, in order, that go into the string to sign (AWS docs). */
const SIGNED_FIELDS = {
  Notification: ['Message', 'MessageId', 'Subject', 'Timestamp', 'TopicArn', 'Type'],
  SubscriptionConfirmation: ['Message', 'MessageId', 'SubscribeURL', 'Timestamp', 'Token', 'TopicArn', 'Type'],
  UnsubscribeConfirmation: ['Message', 'MessageId', 'SubscribeURL', 'Timestamp', 'Token', 'TopicArn', 'Type'],
} as const;

/** The message's fields if it has the shape of an SNS message, else a reason. */
export function parseSnsMessage(body: Record<string, unknown>): { ok: true; message: SnsMessage } | { ok: false; reason: string } {
  const type = body.Type;
  if (type !== 'Notification' && type !== 'SubscriptionConfirmation' && type !== 'UnsubscribeConfirmation')
    return { ok: false, reason: 'Unknown SNS message Type.' };
  for (const field of ['MessageId', 'TopicArn', 'Message', 'Timestamp', 'Signature', 'SigningCertURL']) {
    if (!str(body[field])) return { ok: false, reason: `The SNS message has no ${field}.` };
  }
  if (body.SignatureVersion !== '1' && body.SignatureVersion !== '2') return { ok: false, reason: 'SignatureVersion must be "1" or "2".' };
  if (type !== 'Notification' && (!str(body.SubscribeURL) || !str(body.Token))) return { ok: false, reason: 'A confirmation needs SubscribeURL and Token.' };
  for (const field of ['Subject', 'SubscribeURL', 'Token']) {
    if (body[field] !== undefined && body[field] !== null && typeof body[field] !== 'string') return { ok: false, reason: `${field} must be a string.` };
  }
  return { ok: true, message: body as unknown as SnsMessage };
}

export function stringToSign(message: SnsMessage): string {
  let out = '';
  for (const field of SIGNED_FIELDS[message.Type]) {
    const value = (message as Record<string, unknown>)[field];
    if (field === 'Subject' && (value === undefined || value === null)) continue; // only when present
    out += `${field}\n${String(value)}\n`;
  }
  return out;
}

/** `sns.<region>.amazonaws.com`, or `.amazonaws.com.cn` in the China regions, as AWS's own validators accept (aws-sdk-ruby Aws::SNS::MessageVerifier). */
const SNS_HOST = /^sns\.[a-z]{2}(-[a-z]+)+-\d\.amazonaws\.com(\.cn)?$/;

/**
 * The default rule for SigningCertURL and SubscribeURL: https, the default port, no user info,
 * and exactly `sns.<region>.amazonaws.com` or `sns.<region>.amazonaws.com.cn` (so
 * `sns.us-east-1.amazonaws.com.evil.com`, `sns.evil.com` and `http://…` are refused).
 */
export function isAwsSnsUrl(url: URL): boolean {
  return url.protocol === 'https:' && url.username === '' && url.password === '' && url.port === '' && SNS_HOST.test(url.hostname);
}

export type SnsVerifierOptions = {
  fetch?: typeof fetch;
  /**
   * TEST HOOK ONLY: replaces the host rule for certificate and SubscribeURL fetches (tests point
   * it at a stand-in on 127.0.0.1). Production code never sets it, and no setting reaches it.
   */
  allowUrl?: (url: URL) => boolean;
};

const CERT_TIMEOUT_MS = 10_000;
const MAX_CACHED_CERTS = 20;
/** Public keys by certificate URL (AWS rotates certificates rarely; a Worker isolate keeps these warm). */
const keyCache = new Map<string, Promise<CryptoKey>>();

const base64ToBytes = (b64: string): Uint8Array<ArrayBuffer> => Uint8Array.from(atob(b64), (c) => c.charCodeAt(0));

/** The SubjectPublicKeyInfo of the first certificate in a PEM, checked to be within its validity. */
export function publicKeyInfoFromPem(pem: string, now: Date): Uint8Array<ArrayBuffer> {
  const match = /-----BEGIN CERTIFICATE-----([A-Za-z0-9+/=\s]+)-----END CERTIFICATE-----/.exec(pem);
  if (!match) throw new Error('not a PEM certificate');
  const der = base64ToBytes(match[1]!.replace(/\s+/g, ''));
  const parsed = fromBER(der);
  if (parsed.offset === -1 || !(parsed.result instanceof Sequence)) throw new Error('unreadable certificate');
  const tbs = parsed.result.valueBlock.value[0];
  if (!(tbs instanceof Sequence)) throw new Error('unreadable certificate');
  const fields = tbs.valueBlock.value;
  // tbsCertificate: [0] version (optional), serial, signature, issuer, validity, subject, subjectPublicKeyInfo
  const first = fields[0]!;
  const i = first.idBlock.tagClass === 3 && first.idBlock.tagNumber === 0 ? 1 : 0;
  const validity = fields[i + 3];
  const spki = fields[i + 5];
  if (!(validity instanceof Sequence) || !(spki instanceof Sequence)) throw new Error('unreadable certificate');
  const [notBefore, notAfter] = validity.valueBlock.value.map((t) => (t as unknown as { toDate(): Date }).toDate());
  if (!notBefore || !notAfter || now < notBefore || now > notAfter) throw new Error('certificate outside its validity period');
  return new Uint8Array(spki.toBER(false));
}

async function loadKey(certUrl: string, version: '1' | '2', fetcher: typeof fetch, now: Date): Promise<CryptoKey> {
  // workerd has no redirect: 'error'; with 'manual' a redirect is a 3xx, which is not ok.
  const response = await fetcher(certUrl, { signal: AbortSignal.timeout(CERT_TIMEOUT_MS), redirect: 'manual' });
  if (!response.ok) throw new Error(`certificate fetch answered ${response.status}`);
  const spki = publicKeyInfoFromPem(await response.text(), now);
  return crypto.subtle.importKey('spki', spki, { name: 'RSASSA-PKCS1-v1_5', hash: version === '1' ? 'SHA-1' : 'SHA-256' }, false, ['verify']);
}

export type SnsVerdict = { ok: true } | { ok: false; reason: string };

/** Checks the certificate URL, fetches (or reuses) the certificate, and verifies the signature. */
export async function verifySnsSignature(message: SnsMessage, opts: SnsVerifierOptions = {}, now = new Date()): Promise<SnsVerdict> {
  let certUrl: URL;
  try {
    certUrl = new URL(message.SigningCertURL);
  } catch {
    return { ok: false, reason: 'SigningCertURL is not a URL.' };
  }
  const allowed = opts.allowUrl ?? isAwsSnsUrl;
  if (!allowed(certUrl) || !certUrl.pathname.endsWith('.pem'))
    return { ok: false, reason: 'SigningCertURL is not an https URL on sns.<region>.amazonaws.com.' };
  let signature: Uint8Array<ArrayBuffer>;
  try {
    signature = base64ToBytes(message.Signature); // before any fetch: a malformed one costs nothing
  } catch {
    return { ok: false, reason: 'Signature is not base64.' };
  }
  const cacheKey = `${message.SignatureVersion} ${certUrl.href}`;
  let key = keyCache.get(cacheKey);
  if (!key) {
    key = loadKey(certUrl.href, message.SignatureVersion, opts.fetch ?? fetch, now);
    if (keyCache.size >= MAX_CACHED_CERTS) keyCache.clear();
    keyCache.set(cacheKey, key);
    key.catch(() => keyCache.delete(cacheKey)); // a failed fetch is tried again next time
  }
  try {
    const valid = await crypto.subtle.verify('RSASSA-PKCS1-v1_5', await key, signature, new TextEncoder().encode(stringToSign(message)));
    return valid ? { ok: true } : { ok: false, reason: 'The signature does not match.' };
  } catch {
    // Never the runtime's own text: workerd answers e.g. "internal error; reference = …".
    return { ok: false, reason: 'The signing certificate could not be fetched or used.' };
  }
}

/** For tests: forget cached certificates. */
export const clearSnsCertificateCache = (): void => keyCache.clear();
