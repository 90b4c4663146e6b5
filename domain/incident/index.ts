export * from './state';
export * from './decide';
export * from './process';
