export * from './state';
export * from './decide';
export * from './issue';
export * from './process';
