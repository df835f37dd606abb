export * from './columns';
export * from './users';
export * from './content';
export * from './notifications';
export * from './templates';
export * from './tokens';
export * from './statistics';
export * from './relations';
