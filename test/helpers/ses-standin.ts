/**
 * A stand-in for Amazon SES API v2 on 127.0.0.1 (REST-JSON protocol):
 *  - SendEmail   POST /v2/email/outbound-emails   (raw content only: Content.Raw.Data, base64)
 *  - GetAccount  GET  /v2/email/account           (SendQuota: MaxSendRate, Max24HourSend, SentLast24Hours)
 * Every request must carry a valid AWS Signature Version 4, which this stand-in recomputes
 * on its own with node:crypto (canonical request → string to sign → HMAC chain), so a
 * wrong key, a changed body or a stale x-amz-date is refused with SES's 403 error shapes.
 * It enforces the maximum send rate (a sliding one-second window: 429
 * TooManyRequestsException) and the 24-hour quota, knows the configuration sets that
 * exist, and in sandbox mode refuses unverified recipients (400 MessageRejected).
 *
 * IAM: the key's policy is a list of allowed actions. SendEmail with `Content.Raw` is authorised
 * as `ses:SendRawEmail` (with Simple or Template content as `ses:SendEmail`), GetAccount as
 * `ses:GetAccount`; anything else is 403 AccessDeniedException naming the action
 * (https://repost.aws/knowledge-center/amazon-ses-send-email-unauthorized-error; the error text
 * as django-anymail's SES docs quote it).
 * Message-ID: SES replaces the header with its own `<MessageId@<region>.amazonses.com>`
 * (AWS CLI send-raw-email: "Amazon SES automatically applies its own Message-ID and Date
 * headers"); `sent[].delivered` is the message as recipients get it.
 */
import { createHash, createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { json, startServer } from './standin-server';

export type SesSent = { to: string[]; raw: string; delivered: string; messageId: string; configurationSet?: string; from?: string; atMs: number };

export type SesStandin = {
  url: string;
  region: string;
  accessKeyId: string;
  secretAccessKey: string;
  sent: SesSent[];
  /** Start times (ms) of every SendEmail request that passed the signature check. */
  sendTimes: number[];
  /** Requests refused for their signature. */
  signatureFailures: string[];
  throttled: number;
  /** What GetAccount reports as MaxSendRate (may differ from what is enforced: a lying quota). */
  reportedMaxSendRate: number;
  /** The rate actually enforced. */
  maxSendRate: number;
  max24HourSend: number;
  accountRequests: number;
  /** The IAM actions the key's policy allows. */
  allowedActions: string[];
  /** Requests refused by the policy, by action. */
  accessDenied: string[];
  reset(): void;
  close(): Promise<void>;
};

/** What the README's IAM policy allows: sending raw mail and reading the quota. */
export const README_POLICY_ACTIONS = ['ses:SendRawEmail', 'ses:GetAccount'];

type Options = { maxSendRate?: number; max24HourSend?: number; configurationSets?: string[]; sandboxVerified?: string[]; allowedActions?: string[] };

const ERROR_NS = 'http://internal.amazon.com/coral/com.amazonaws.sesv2/';
/** SES's REST-JSON error: `x-amzn-ErrorType` header plus `{ "message": … }`. */
function awsError(res: ServerResponse, status: number, type: string, message: string): void {
  json(res, status, { message }, { 'x-amzn-errortype': `${type}:${ERROR_NS}`, 'x-amzn-requestid': randomBytes(16).toString('hex') });
}

const sha256Hex = (data: string | Buffer) => createHash('sha256').update(data).digest('hex');
const hmac = (key: string | Buffer, data: string) => createHmac('sha256', key).update(data).digest();

/** RFC 3986 encoding of one path segment, as SigV4 canonical URIs use it. */
const encodeSegment = (s: string) => encodeURIComponent(decodeURIComponent(s)).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);

/** Returns null when the request's SigV4 signature is valid, else the reason. */
function checkSignature(
  req: IncomingMessage,
  body: string,
  creds: { accessKeyId: string; secretAccessKey: string; region: string },
): { type: string; message: string } | null {
  const auth = req.headers.authorization ?? '';
  const m = /^AWS4-HMAC-SHA256 Credential=([^/]+)\/(\d{8})\/([^/]+)\/([^/]+)\/aws4_request, ?SignedHeaders=([a-z0-9;-]+), ?Signature=([0-9a-f]{64})$/.exec(
    auth,
  );
  if (!m) return { type: 'MissingAuthenticationTokenException', message: 'Missing Authentication Token' };
  const [, keyId, date, region, service, signedHeaders, signature] = m;
  if (keyId !== creds.accessKeyId) return { type: 'UnrecognizedClientException', message: 'The security token included in the request is invalid.' };
  const amzDate = String(req.headers['x-amz-date'] ?? '');
  if (!/^\d{8}T\d{6}Z$/.test(amzDate) || amzDate.slice(0, 8) !== date)
    return { type: 'IncompleteSignatureException', message: 'Date must be in ISO-8601 basic format and match the credential scope.' };
  const at = Date.UTC(
    +amzDate.slice(0, 4),
    +amzDate.slice(4, 6) - 1,
    +amzDate.slice(6, 8),
    +amzDate.slice(9, 11),
    +amzDate.slice(11, 13),
    +amzDate.slice(13, 15),
  );
  if (Math.abs(Date.now() - at) > 5 * 60_000)
    return { type: 'InvalidSignatureException', message: 'Signature expired: the request time is more than 5 minutes from the server time.' };
  if (region !== creds.region || service !== 'ses')
    return { type: 'SignatureDoesNotMatch', message: `Credential should be scoped to a valid region and service 'ses' in '${creds.region}'.` };
  const names = signedHeaders!.split(';');
  if (!names.includes('host') || !names.includes('x-amz-date')) return { type: 'SignatureDoesNotMatch', message: 'host and x-amz-date must be signed.' };
  const url = new URL(req.url ?? '/', 'http://stand-in');
  const canonicalUri = url.pathname.split('/').map(encodeSegment).join('/') || '/';
  const canonicalQuery = [...url.searchParams]
    .map(([k, v]) => [encodeURIComponent(k), encodeURIComponent(v)])
    .sort(([a], [b]) => (a! < b! ? -1 : a! > b! ? 1 : 0))
    .map(([k, v]) => `${k}=${v}`)
    .join('&');
  const canonicalHeaders = names
    .map(
      (n) =>
        `${n}:${String(req.headers[n] ?? '')
          .trim()
          .replace(/\s+/g, ' ')}\n`,
    )
    .join('');
  const payloadHash = sha256Hex(body);
  const claimed = req.headers['x-amz-content-sha256'];
  if (claimed !== undefined && claimed !== payloadHash && claimed !== 'UNSIGNED-PAYLOAD')
    return { type: 'SignatureDoesNotMatch', message: 'The provided x-amz-content-sha256 header does not match what was computed.' };
  const canonicalRequest = [req.method, canonicalUri, canonicalQuery, canonicalHeaders, signedHeaders, payloadHash].join('\n');
  const scope = `${date}/${region}/ses/aws4_request`;
  const stringToSign = ['AWS4-HMAC-SHA256', amzDate, scope, sha256Hex(canonicalRequest)].join('\n');
  const key = hmac(hmac(hmac(hmac(`AWS4${creds.secretAccessKey}`, date!), region!), 'ses'), 'aws4_request');
  const expected = createHmac('sha256', key).update(stringToSign).digest();
  const given = Buffer.from(signature!, 'hex');
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) {
    return {
      type: 'SignatureDoesNotMatch',
      message: 'The request signature we calculated does not match the signature you provided. Check your AWS Secret Access Key and signing method.',
    };
  }
  return null;
}

export async function startSesStandin(options: Options = {}): Promise<SesStandin> {
  const region = 'eu-west-1';
  const accessKeyId = `AKIA${randomBytes(8).toString('hex').toUpperCase()}`;
  const secretAccessKey = randomBytes(30).toString('base64');
  const configurationSets = new Set(options.configurationSets ?? ['blog-events']);
  const state = {
    sent: [] as SesSent[],
    sendTimes: [] as number[],
    signatureFailures: [] as string[],
    throttled: 0,
    accountRequests: 0,
    accessDenied: [] as string[],
  };
  const standin = {
    allowedActions: options.allowedActions ?? README_POLICY_ACTIONS,
    reportedMaxSendRate: options.maxSendRate ?? 14,
    maxSendRate: options.maxSendRate ?? 14,
    max24HourSend: options.max24HourSend ?? 50_000,
  };

  const server = await startServer(async (req, res, body) => {
    const failure = checkSignature(req, body, { accessKeyId, secretAccessKey, region });
    if (failure) {
      state.signatureFailures.push(failure.type);
      return awsError(res, 403, failure.type, failure.message);
    }
    const path = new URL(req.url ?? '/', 'http://stand-in').pathname;
    const denied = (action: string) => {
      if (standin.allowedActions.includes(action)) return false;
      state.accessDenied.push(action);
      awsError(
        res,
        403,
        'AccessDeniedException',
        `User: arn:aws:iam::123456789012:user/blog-mailer is not authorized to perform: ${action} on resource: arn:aws:ses:${region}:123456789012:identity/blog.example.com`,
      );
      return true;
    };
    if (req.method === 'GET' && path === '/v2/email/account') {
      if (denied('ses:GetAccount')) return;
      state.accountRequests += 1;
      return json(res, 200, {
        DedicatedIpAutoWarmupEnabled: false,
        EnforcementStatus: 'HEALTHY',
        ProductionAccessEnabled: !options.sandboxVerified,
        SendQuota: { Max24HourSend: standin.max24HourSend, MaxSendRate: standin.reportedMaxSendRate, SentLast24Hours: state.sent.length },
        SendingEnabled: true,
      });
    }
    if (req.method === 'POST' && path === '/v2/email/outbound-emails') {
      const now = Date.now();
      state.sendTimes.push(now);
      if (state.sendTimes.filter((t) => now - t < 1000).length > standin.maxSendRate) {
        state.throttled += 1;
        return awsError(res, 429, 'TooManyRequestsException', 'Maximum sending rate exceeded.');
      }
      if (state.sent.length >= standin.max24HourSend) return awsError(res, 429, 'TooManyRequestsException', 'Daily message quota exceeded.');
      let input: {
        Destination?: { ToAddresses?: unknown };
        Content?: { Raw?: { Data?: unknown }; Simple?: unknown };
        ConfigurationSetName?: unknown;
        FromEmailAddress?: unknown;
      };
      try {
        input = JSON.parse(body);
      } catch {
        return awsError(res, 400, 'BadRequestException', 'Could not parse request body into json.');
      }
      if (denied(input.Content?.Raw !== undefined ? 'ses:SendRawEmail' : 'ses:SendEmail')) return;
      const data = input.Content?.Raw?.Data;
      if (typeof data !== 'string' || !/^[A-Za-z0-9+/]+={0,2}$/.test(data))
        return awsError(res, 400, 'BadRequestException', 'Content.Raw.Data must be base64-encoded MIME.');
      const to = input.Destination?.ToAddresses;
      if (!Array.isArray(to) || to.length === 0 || to.some((t) => typeof t !== 'string' || !/^[^@\s]+@[^@\s]+$/.test(t))) {
        return awsError(res, 400, 'BadRequestException', "Missing final '@domain'");
      }
      const set = input.ConfigurationSetName;
      if (set !== undefined && (typeof set !== 'string' || !configurationSets.has(set)))
        return awsError(res, 404, 'NotFoundException', `Configuration set <${String(set)}> does not exist.`);
      if (options.sandboxVerified && to.some((t) => !options.sandboxVerified!.includes(t as string))) {
        return awsError(
          res,
          400,
          'MessageRejected',
          `Email address is not verified. The following identities failed the check in region ${region.toUpperCase()}: ${to.join(', ')}`,
        );
      }
      const messageId = `0102019${randomBytes(8).toString('hex')}-${randomBytes(4).toString('hex')}-000000`;
      const raw = Buffer.from(data, 'base64').toString('utf8');
      const delivered = raw.replace(/^Message-ID:[^\r\n]*(\r\n[ \t][^\r\n]*)*/im, `Message-ID: <${messageId}@${region}.amazonses.com>`);
      state.sent.push({ to: to as string[], raw, delivered, messageId, ...(typeof set === 'string' ? { configurationSet: set } : {}), atMs: now });
      return json(res, 200, { MessageId: messageId });
    }
    return awsError(res, 404, 'UnknownOperationException', `No operation for ${req.method} ${path}`);
  });

  return {
    url: server.url,
    region,
    accessKeyId,
    secretAccessKey,
    get sent() {
      return state.sent;
    },
    get sendTimes() {
      return state.sendTimes;
    },
    get signatureFailures() {
      return state.signatureFailures;
    },
    get throttled() {
      return state.throttled;
    },
    get accountRequests() {
      return state.accountRequests;
    },
    get accessDenied() {
      return state.accessDenied;
    },
    get allowedActions() {
      return standin.allowedActions;
    },
    set allowedActions(v: string[]) {
      standin.allowedActions = v;
    },
    get reportedMaxSendRate() {
      return standin.reportedMaxSendRate;
    },
    set reportedMaxSendRate(v: number) {
      standin.reportedMaxSendRate = v;
    },
    get maxSendRate() {
      return standin.maxSendRate;
    },
    set maxSendRate(v: number) {
      standin.maxSendRate = v;
    },
    get max24HourSend() {
      return standin.max24HourSend;
    },
    set max24HourSend(v: number) {
      standin.max24HourSend = v;
    },
    reset() {
      state.sent = [];
      state.sendTimes = [];
      state.signatureFailures = [];
      state.throttled = 0;
      state.accountRequests = 0;
      state.accessDenied = [];
    },
    close: server.close,
  } as SesStandin;
}
