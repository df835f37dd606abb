/**
 * Email verification for the reader handlers: the tokens (stored as hashes, single use, with
 * the subscribe request's choices) live in db/verification-tokens.ts, since handlers do not
 * write tables; the summary of the choices for the email is worded here.
 */
import { CONTENT_TYPE_LABELS, FREQUENCY_LABELS } from './validation';
import type { PendingPreferences } from '../../db/verification-tokens';

// The tokens' storage lives in db/ (handlers do not write tables); their callers import them from here.
export {
  confirmVerification,
  inspectVerificationToken,
  issueVerificationToken,
  VERIFICATION_TTL_SECONDS,
  type ConfirmResult,
} from '../../db/verification-tokens';

/** The choices in words, for the verification email: "Posts and Thoughts, as soon as they are published". */
export function choicesSummary(choices: PendingPreferences): string {
  const names = choices.contentTypes.map((t) => CONTENT_TYPE_LABELS[t]);
  const list = names.length <= 1 ? (names[0] ?? 'nothing') : `${names.slice(0, -1).join(', ')} and ${names.at(-1)}`;
  return `${list}, ${FREQUENCY_LABELS[choices.frequency].toLowerCase()}`;
}
