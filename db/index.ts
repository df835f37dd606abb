// The data-access layer: domain functions that take a `Db` first, and the AuthDB facade (the original system's API).
export { createDb, type Db } from './client';
export * from './users';
export * from './sessions';
export * from './notifications';
export * from './history';
export * from './content';
export * from './templates';
export * from './unsubscribe-tokens';
export * from './preferences';
export * from './statistics';
export * from './suppressions';
export * from './feedback-events';
export * from './delivery-pause';
export { cleanupExpiredTokens, purgeOldHistory } from './maintenance';
export * from './digest-schedule';
export * from './params';
export { AuthDB } from './auth-db';
