export * from './types';
export * from './catalog';
export * from './local';
export * from './targets';
export * from './names';
