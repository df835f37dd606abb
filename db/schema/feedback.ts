import { check, primaryKey, sqliteTable, text } from 'drizzle-orm/sqlite-core';
import { createdAt, oneOf, updatedAt } from './columns';

export const SUPPRESSION_REASONS = ['hard_bounce', 'complaint', 'manual', 'unsubscribed', 'provider'] as const;
export type SuppressionReason = (typeof SUPPRESSION_REASONS)[number];

/**
 * Addresses that must never be mailed again, by the SHA-256 (hex) of the normalised address.
 * No foreign key to users on purpose: the entry outlives the reader's erasure, and the hash
 * keeps no readable address once the reader is gone.
 */
export const suppressions = sqliteTable(
  'suppressions',
  {
    addressHash: text('address_hash').primaryKey(),
    reason: text('reason', { enum: SUPPRESSION_REASONS }).notNull(),
    /** Who reported it: ses, postmark, resend, cloudflare, admin, import, … */
    source: text('source').notNull(),
    createdAt: createdAt(),
  },
  () => [check('suppressions_reason_check', oneOf('reason', SUPPRESSION_REASONS))],
);

/**
 * Provider events already applied (webhooks, queue messages), one row per provider event id:
 * a provider that delivers an event twice finds its row and changes nothing.
 */
export const providerEvents = sqliteTable(
  'provider_events',
  {
    provider: text('provider').notNull(),
    eventId: text('event_id').notNull(),
    kind: text('kind').notNull(),
    /** A random value written by the run that applied the event: its other writes are conditional on it. */
    claim: text('claim').notNull(),
    createdAt: createdAt(),
  },
  (t) => [primaryKey({ columns: [t.provider, t.eventId] })],
);

/** Small named switches of the delivery pipeline (e.g. `bulk_paused`), a JSON value each. */
export const deliveryState = sqliteTable('delivery_state', {
  key: text('key').primaryKey(),
  value: text('value', { mode: 'json' }).$type<Record<string, unknown>>().notNull(),
  updatedAt: updatedAt(),
});

export type Suppression = typeof suppressions.$inferSelect;
