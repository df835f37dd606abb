/**
 * Who gets which mail: the ONE place that maps a content type to its preference column (both
 * ways) and states the rule, as Drizzle SQL (fan-out, subscriber list), as raw SQL fragments
 * (send-time check in db/delivery/claims.ts, integrity checks) and as a TypeScript
 * predicate over a User row. db/delivery/eligibility.test.ts proves the three agree on every user state.
 */
import { and, eq, sql, type SQL } from 'drizzle-orm';
import { CONTENT_TYPES, suppressions, users, type ContentType, type EmailStatus, type User } from '../schema';

// ---------------------------------------------------------------- the map

/** The User field that says a reader wants mail about a content type. */
export const PREFERENCE_FIELD = {
  blog: 'emailBlogUpdates',
  thought: 'emailThoughtUpdates',
  announcement: 'emailAnnouncements',
} as const satisfies Record<ContentType, keyof User>;
export type PreferenceField = (typeof PREFERENCE_FIELD)[ContentType];
export type PreferenceFlags = Record<PreferenceField, boolean>;

/** The Drizzle column of each content type's preference. */
export const PREFERENCE_COLUMN = {
  blog: users[PREFERENCE_FIELD.blog],
  thought: users[PREFERENCE_FIELD.thought],
  announcement: users[PREFERENCE_FIELD.announcement],
} as const;

/** The SQL column name (`email_blog_updates`, …) of each content type's preference. */
export const PREFERENCE_SQL_COLUMN = Object.fromEntries(CONTENT_TYPES.map((t) => [t, PREFERENCE_COLUMN[t].name])) as Record<ContentType, string>;

/** The inverse: the content type a preference field stands for. */
export const CONTENT_TYPE_OF_FIELD = Object.fromEntries(CONTENT_TYPES.map((t) => [PREFERENCE_FIELD[t], t])) as Record<PreferenceField, ContentType>;

export const isContentType = (value: unknown): value is ContentType => typeof value === 'string' && (CONTENT_TYPES as readonly string[]).includes(value);

export function assertContentType(value: string): asserts value is ContentType {
  if (!isContentType(value)) throw new Error(`Invalid content type: "${value}"`);
}

/** The preference flags for a list of wanted content types (the others off). */
export const preferenceFlags = (contentTypes: readonly ContentType[]): PreferenceFlags =>
  Object.fromEntries(CONTENT_TYPES.map((t) => [PREFERENCE_FIELD[t], contentTypes.includes(t)])) as PreferenceFlags;

/** The content types whose preference is on, in CONTENT_TYPES order. */
export const contentTypesOf = (flags: PreferenceFlags): ContentType[] => CONTENT_TYPES.filter((t) => flags[PREFERENCE_FIELD[t]]);

/** All preferences off (global unsubscribe). */
export const NO_PREFERENCES: PreferenceFlags = preferenceFlags([]);

// ---------------------------------------------------------------- the rule

/**
 * A reader receives mail (of any kind they chose): address active, not unsubscribed from
 * everything, verified. Written once as data, turned into each form below.
 */
const RECEIVING = [
  ['emailStatus', 'active'],
  ['unsubscribeAll', false],
  ['emailVerified', true],
] as const satisfies readonly (readonly [keyof User, string | boolean])[];

/** Statuses that stop every mail, verification mail included. */
export const UNREACHABLE_STATUSES = ['bounced', 'blocked'] as const satisfies readonly EmailStatus[];

export type ReaderState = Pick<User, 'emailStatus' | 'unsubscribeAll' | 'emailVerified' | PreferenceField>;

/** The reader is receiving mail: active, subscribed, verified (no content type asked). */
export const isReceivingMail = (user: ReaderState): boolean => RECEIVING.every(([field, value]) => user[field] === value);

/**
 * Content mail of `contentType` may go to this reader: receiving mail, the type's preference on,
 * and the address not on the suppression list (`suppressed`: the list is a table, not a column).
 */
export const receivesContent = (user: ReaderState, contentType: ContentType, suppressed: boolean): boolean =>
  isReceivingMail(user) && user[PREFERENCE_FIELD[contentType]] && !suppressed;

/** Account mail (verification) goes to an unverified address too: only a bounce, a block or the suppression list stop it. */
export const receivesAccountMail = (user: Pick<User, 'emailStatus'>, suppressed: boolean): boolean =>
  !(UNREACHABLE_STATUSES as readonly string[]).includes(user.emailStatus) && !suppressed;

// ---------------------------------------------------------------- as Drizzle SQL

/**
 * Who may receive content mail about a type, for the subscriber list and the fan-out. The
 * suppression list is joined on the indexed users.email_hash (D1 cannot hash in SQL; see
 * db/feedback/suppressions.ts).
 */
export function eligibleSubscriberFilter(contentType: ContentType): SQL {
  assertContentType(contentType);
  return and(
    eq(PREFERENCE_COLUMN[contentType], true),
    ...RECEIVING.map(([field, value]) => eq(users[field], value)),
    sql`not exists (select 1 from ${suppressions} where ${suppressions.addressHash} = ${users.emailHash})`,
  )!;
}

// ---------------------------------------------------------------- as raw SQL

const literal = (value: string | boolean) => (typeof value === 'boolean' ? (value ? '1' : '0') : `'${value}'`);
const col = (table: string, field: keyof User) => `${table}.${users[field].name}`;

/** `receiving mail` over the users row named `table` (an alias or `"users"`). */
export const receivingMailSql = (table: string): string => RECEIVING.map(([field, value]) => `${col(table, field)} = ${literal(value)}`).join(' AND ');

/** The address of the users row `table` is on the suppression list. */
export const suppressedSql = (table: string): string => `EXISTS (SELECT 1 FROM suppressions s WHERE s.address_hash = ${col(table, 'emailHash')})`;

/**
 * Send-time eligibility of one queued email (a row of email_notifications) for its reader `u`,
 * 1 or 0: verification mail by receivesAccountMail, content by receivesContent.
 */
export const sendEligibleCaseSql = (notification: string, u: string): string => `CASE
    WHEN ${col(u, 'emailStatus')} IN (${UNREACHABLE_STATUSES.map(literal).join(', ')}) THEN 0
    WHEN ${suppressedSql(u)} THEN 0
    WHEN ${notification}.notification_type = 'verification' THEN 1
    WHEN NOT (${receivingMailSql(u)}) THEN 0
    ${CONTENT_TYPES.map((t) => `WHEN ${notification}.content_type = '${t}' THEN ${u}.${PREFERENCE_SQL_COLUMN[t]}`).join('\n    ')}
    ELSE 0 END`;

/** `email_blog_updates = 0, …`: an UPDATE's SET list that turns every preference off. */
export const NO_PREFERENCES_SET_SQL = CONTENT_TYPES.map((t) => `${PREFERENCE_SQL_COLUMN[t]} = 0`).join(', ');

/** `preference of type t on`, unqualified, for WHERE clauses over users. */
export const preferenceOnSql = (contentType: ContentType): string => `${PREFERENCE_SQL_COLUMN[contentType]} = 1`;

/** Any preference on. */
export const ANY_PREFERENCE_ON_SQL = `(${CONTENT_TYPES.map(preferenceOnSql).join(' OR ')})`;
