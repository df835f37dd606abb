/**
 * Email verification for the reader handlers: the tokens (stored as hashes, single use, with
 * the subscribe request's choices) live in db/readers/verification-tokens.ts, since handlers do not
 * write tables; the summary of the choices for the email is worded here.
 */
import { contentTypeLabel } from './validation';
import { formatList, translator, type Translate } from '../i18n';
import type { PendingPreferences } from '../../db/readers/verification-tokens';

// The tokens' storage lives in db/ (handlers do not write tables); their callers import them from here.
export {
  confirmVerification,
  inspectVerificationToken,
  issueVerificationToken,
  VERIFICATION_TTL_SECONDS,
  type ConfirmResult,
} from '../../db/readers/verification-tokens';

/** The choices in words, in the reader's language, for the email: "Blog posts and Thoughts, daily digest". */
export function choicesSummary(choices: PendingPreferences, t: Translate = translator('en')): string {
  const list = formatList(
    choices.contentTypes.map((type) => contentTypeLabel(type, t)),
    t.locale,
  );
  return `${list}, ${t(`frequency.summary.${choices.frequency}`)}`;
}
