/**
 * recordBounce(db, email, 'hard' | 'soft'): a hard bounce, or the configured number of soft
 * ones (default 3), marks the address `bounced`; fan-out and sending then skip it.
 * The SQL lives in db/feedback/delivery-events.ts.
 */
export { recordBounce } from '../../db/feedback/delivery-events';
