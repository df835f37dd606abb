/**
 * A stand-in for Postmark's Email API on 127.0.0.1:
 *  - POST /email/batch   (up to 500 messages; an array in, an array of per-message results out)
 * It checks what Postmark checks: the X-Postmark-Server-Token (401, ErrorCode 10), JSON
 * Accept/Content-Type (422, ErrorCode 409), the batch size (422, ErrorCode 410), the
 * message stream, the From address against the confirmed sender signatures (ErrorCode
 * 400), the recipient address (300), and inactive recipients (406: hard-bounced or
 * complained addresses). Faults (429, 500, 503) are scripted per request.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { json, startServer } from './standin-server';

export type PostmarkMessage = {
  From: string;
  To: string;
  Subject: string;
  HtmlBody?: string;
  TextBody?: string;
  Headers?: { Name: string; Value: string }[];
  MessageStream?: string;
  [k: string]: unknown;
};
export type PostmarkFault = { status: 429 | 500 | 503; retryAfter?: string };

export type PostmarkStandin = {
  url: string;
  serverToken: string;
  /** Messages accepted (ErrorCode 0), in order, with their stream and MessageID. */
  accepted: (PostmarkMessage & { MessageID: string })[];
  /** Every request that reached /email/batch. */
  batchRequests: number;
  inactive: Set<string>;
  failNext(...faults: PostmarkFault[]): void;
  reset(): void;
  close(): Promise<void>;
};

const STREAMS = new Set(['outbound', 'broadcast']);

export async function startPostmarkStandin(options: { senderDomain?: string } = {}): Promise<PostmarkStandin> {
  const serverToken = randomUUID();
  const senderDomain = options.senderDomain ?? 'blog.example.com';
  let faults: PostmarkFault[] = [];
  const state = { accepted: [] as PostmarkStandin['accepted'], batchRequests: 0, inactive: new Set<string>() };

  const server = await startServer((req, res, body) => {
    const path = new URL(req.url ?? '/', 'http://stand-in').pathname;
    if (req.method !== 'POST' || path !== '/email/batch') return json(res, 404, { ErrorCode: 404, Message: 'Not found' });
    state.batchRequests += 1;
    const token = req.headers['x-postmark-server-token'];
    if (!token) {
      return json(res, 401, { ErrorCode: 10, Message: 'No Account or Server API tokens were supplied in the HTTP headers. Please add a header for either X-Postmark-Server-Token or X-Postmark-Account-Token.' });
    }
    if (token !== serverToken) {
      return json(res, 401, { ErrorCode: 10, Message: 'The Server Token you provided in the X-Postmark-Server-Token request header was invalid. Please verify that you are using a valid token.' });
    }
    const fault = faults.shift();
    if (fault) {
      if (fault.status === 429) return json(res, 429, { ErrorCode: 429, Message: 'Rate limit exceeded.' }, fault.retryAfter ? { 'retry-after': fault.retryAfter } : {});
      return json(res, fault.status, { ErrorCode: fault.status, Message: 'Internal server error.' }, fault.retryAfter ? { 'retry-after': fault.retryAfter } : {});
    }
    if (!String(req.headers['content-type'] ?? '').startsWith('application/json') || !String(req.headers.accept ?? '').includes('application/json')) {
      return json(res, 422, { ErrorCode: 409, Message: "JSON required. Please set the 'Accept' and 'Content-Type' headers to 'application/json'." });
    }
    let messages: unknown;
    try {
      messages = JSON.parse(body);
    } catch {
      return json(res, 422, { ErrorCode: 402, Message: 'Received invalid JSON input.' });
    }
    if (!Array.isArray(messages)) return json(res, 422, { ErrorCode: 403, Message: 'Incompatible JSON input: the batch must be an array.' });
    if (messages.length > 500) return json(res, 422, { ErrorCode: 410, Message: 'Too many batch messages. You may only send up to 500 messages in a batch.' });
    const results = (messages as PostmarkMessage[]).map((m) => {
      const to = String(m.To ?? '');
      const fromAddress = /<([^<>]+)>\s*$/.exec(String(m.From ?? ''))?.[1] ?? String(m.From ?? '');
      if (!fromAddress.endsWith(`@${senderDomain}`)) {
        return { ErrorCode: 400, Message: `The 'From' address you supplied (${m.From}) is not a Sender Signature on your account. Please add and confirm this address in order to be able to use it in the 'From' field of your messages.` };
      }
      if (!STREAMS.has(String(m.MessageStream ?? 'outbound'))) return { ErrorCode: 1235, Message: `The message stream for the provided 'MessageStream' was not found.` };
      if (!/^[^@\s<>]+@[^@\s<>]+\.[^@\s<>]+$/.test(to)) return { ErrorCode: 300, Message: `Error parsing 'To': Illegal email address '${to}'. It must contain the '@' symbol.` };
      if (!m.Subject || (!m.HtmlBody && !m.TextBody)) return { ErrorCode: 300, Message: 'Provide either email TextBody or HtmlBody or both.' };
      if (state.inactive.has(to.toLowerCase())) {
        return { ErrorCode: 406, Message: `You tried to send to recipient(s) that have been marked as inactive. Found inactive addresses: ${to}. Inactive recipients are ones that have generated a hard bounce, a spam complaint, or a manual suppression.` };
      }
      const MessageID = randomUUID();
      state.accepted.push({ ...m, MessageStream: String(m.MessageStream ?? 'outbound'), MessageID });
      return { ErrorCode: 0, Message: 'OK', MessageID, SubmittedAt: new Date().toISOString(), To: to };
    });
    return json(res, 200, results, { 'x-request-id': randomBytes(8).toString('hex') });
  });

  return {
    url: server.url,
    serverToken,
    get accepted() {
      return state.accepted;
    },
    get batchRequests() {
      return state.batchRequests;
    },
    get inactive() {
      return state.inactive;
    },
    failNext(...more: PostmarkFault[]) {
      faults.push(...more);
    },
    reset() {
      state.accepted = [];
      state.batchRequests = 0;
      state.inactive.clear();
      faults = [];
    },
    close: server.close,
  } as PostmarkStandin;
}
