// The data-access layer: domain functions that take a `Db` first, and the AuthDB facade (the original system's API).
export { createDb, type Db } from './client';
export * from './readers/users';
export * from './readers/sessions';
export * from './delivery/notifications';
export * from './delivery/history';
export * from './content/content';
export * from './content/templates';
export * from './readers/unsubscribe-tokens';
export * from './readers/preferences';
export * from './delivery/statistics';
export * from './feedback/suppressions';
export * from './feedback/events';
export * from './delivery/pause';
export { cleanupExpiredTokens, purgeOldHistory } from './maintenance/cleanup';
export * from './delivery/digest-schedule';
export * from './params';
export { AuthDB } from './readers/auth-db';
