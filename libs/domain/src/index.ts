export * from './lib/token-secret';
export * from './lib/ip';
export * from './lib/permissions';
export * from './lib/endpoints';
export * from './lib/origins';
export * from './lib/status';
export * from './lib/access';
export * from './lib/dto';
