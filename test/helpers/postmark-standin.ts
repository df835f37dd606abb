/**
 * A stand-in for Postmark's Email API on 127.0.0.1:
 *  - POST /email/batch   (up to 500 messages; an array in, an array of per-message results out)
 * It checks what Postmark checks: the X-Postmark-Server-Token (401, ErrorCode 10), JSON
 * Accept/Content-Type (422, ErrorCode 409), the batch size (422, ErrorCode 410), the
 * message stream, the From address against the confirmed sender signatures (ErrorCode
 * 400), the recipient address (300), and inactive recipients (406: hard-bounced or
 * complained addresses). Faults (429, 500, 503) are scripted per request.
 *
 * Unsubscribes on a broadcast stream are Postmark's by default: it appends its own unsubscribe
 * link and sets its own List-Unsubscribe / List-Unsubscribe-Post headers in place of ours
 * (https://postmarkapp.com/support/article/1299-how-to-include-a-list-unsubscribe-header: "There
 * is not a way to edit the List-Unsubscribe headers when Postmark is managing your unsubscribes");
 * `delivered` is the message as the reader gets it. A reader who unsubscribes there is
 * suppressed on the stream and Postmark posts a SubscriptionChange webhook
 * (https://postmarkapp.com/developer/webhooks/subscription-change-webhook): `unsubscribe()`.
 * `manageUnsubscribes: false` is the stream setting Postmark's support must enable for you.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { json, startServer } from './standin-server';

export type Delivered = { headers: { Name: string; Value: string }[]; HtmlBody?: string; TextBody?: string };

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
  accepted: (PostmarkMessage & { MessageID: string; delivered: Delivered })[];
  /** Every request that reached /email/batch. */
  batchRequests: number;
  inactive: Set<string>;
  /** The reader clicks Postmark's unsubscribe link in a delivered message: suppressed, and the SubscriptionChange webhook body Postmark then posts. */
  unsubscribe(messageId: string): string;
  failNext(...faults: PostmarkFault[]): void;
  reset(): void;
  close(): Promise<void>;
};

const STREAMS = new Set(['outbound', 'broadcast']);

const LIST_UNSUBSCRIBE = /^list-unsubscribe(-post)?$/i;

export async function startPostmarkStandin(options: { senderDomain?: string; manageUnsubscribes?: boolean } = {}): Promise<PostmarkStandin> {
  const manageUnsubscribes = options.manageUnsubscribes ?? true;
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
      return json(res, 401, {
        ErrorCode: 10,
        Message:
          'No Account or Server API tokens were supplied in the HTTP headers. Please add a header for either X-Postmark-Server-Token or X-Postmark-Account-Token.',
      });
    }
    if (token !== serverToken) {
      return json(res, 401, {
        ErrorCode: 10,
        Message: 'The Server Token you provided in the X-Postmark-Server-Token request header was invalid. Please verify that you are using a valid token.',
      });
    }
    const fault = faults.shift();
    if (fault) {
      if (fault.status === 429)
        return json(res, 429, { ErrorCode: 429, Message: 'Rate limit exceeded.' }, fault.retryAfter ? { 'retry-after': fault.retryAfter } : {});
      return json(
        res,
        fault.status,
        { ErrorCode: fault.status, Message: 'Internal server error.' },
        fault.retryAfter ? { 'retry-after': fault.retryAfter } : {},
      );
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
        return {
          ErrorCode: 400,
          Message: `The 'From' address you supplied (${m.From}) is not a Sender Signature on your account. Please add and confirm this address in order to be able to use it in the 'From' field of your messages.`,
        };
      }
      if (!STREAMS.has(String(m.MessageStream ?? 'outbound')))
        return { ErrorCode: 1235, Message: `The message stream for the provided 'MessageStream' was not found.` };
      if (!/^[^@\s<>]+@[^@\s<>]+\.[^@\s<>]+$/.test(to))
        return { ErrorCode: 300, Message: `Error parsing 'To': Illegal email address '${to}'. It must contain the '@' symbol.` };
      if (!m.Subject || (!m.HtmlBody && !m.TextBody)) return { ErrorCode: 300, Message: 'Provide either email TextBody or HtmlBody or both.' };
      if (state.inactive.has(to.toLowerCase())) {
        return {
          ErrorCode: 406,
          Message: `You tried to send to recipient(s) that have been marked as inactive. Found inactive addresses: ${to}. Inactive recipients are ones that have generated a hard bounce, a spam complaint, or a manual suppression.`,
        };
      }
      const MessageID = randomUUID();
      const stream = String(m.MessageStream ?? 'outbound');
      let delivered: Delivered = { headers: m.Headers ?? [], HtmlBody: m.HtmlBody, TextBody: m.TextBody };
      if (stream === 'broadcast' && manageUnsubscribes) {
        const link = `${server.url}/unsubscribe/${MessageID}`;
        delivered = {
          headers: [
            ...(m.Headers ?? []).filter((h) => !LIST_UNSUBSCRIBE.test(h.Name)),
            { Name: 'List-Unsubscribe', Value: `<${link}>` },
            { Name: 'List-Unsubscribe-Post', Value: 'List-Unsubscribe=One-Click' },
          ],
          ...(m.HtmlBody ? { HtmlBody: `${m.HtmlBody}<p><a href="${link}">Unsubscribe</a></p>` } : {}),
          ...(m.TextBody ? { TextBody: `${m.TextBody}\n\nUnsubscribe: ${link}\n` } : {}),
        };
      }
      state.accepted.push({ ...m, MessageStream: stream, MessageID, delivered });
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
    unsubscribe(messageId: string) {
      const message = state.accepted.find((m) => m.MessageID === messageId);
      if (message?.MessageStream !== 'broadcast' || !manageUnsubscribes) throw new Error('no Postmark unsubscribe link in that message');
      state.inactive.add(message.To.toLowerCase());
      return JSON.stringify({
        RecordType: 'SubscriptionChange',
        MessageID: messageId,
        ServerID: 23,
        MessageStream: 'broadcast',
        ChangedAt: new Date().toISOString(),
        Recipient: message.To,
        Origin: 'Recipient',
        SuppressSending: true,
        SuppressionReason: 'ManualSuppression',
        Tag: null,
        Metadata: {},
      });
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
