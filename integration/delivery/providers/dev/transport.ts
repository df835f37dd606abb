/**
 * Development transport: nothing leaves the machine. Every message is stored in
 * `dev_mail_outbox` (local D1) and shown at /dev/mail.
 */
import PostalMime from 'postal-mime';
import type { Db } from '../../../../db/client';
import { captureDevMail } from '../../../../db/delivery/dev-mail';
import { safeErrorText } from '../../../../db/safe-error';
import type { Transport } from '../../transport';

export function createDevCaptureTransport(db: Db): Transport {
  return {
    name: 'dev',
    async send(email) {
      try {
        // Only to index the list by subject: the raw message is stored as it is.
        const parsed = await PostalMime.parse(email.raw);
        const row = await captureDevMail(db, {
          toAddress: email.to.trim().toLowerCase(),
          subject: parsed.subject ?? '',
          messageIdHeader: email.messageIdHeader,
          raw: email.raw,
        });
        return { ok: true, providerMessageId: `dev-${row.id}` };
      } catch (error) {
        // Not error.message: a failed INSERT's message lists its parameters, i.e. the raw email
        // with live unsubscribe and preferences tokens. The underlying D1 error says why.
        const cause = error instanceof Error && error.cause instanceof Error ? error.cause : error;
        return { ok: false, retryable: true, code: 'dev_capture', error: `dev outbox write failed (${safeErrorText(cause)})` };
      }
    },
  };
}
