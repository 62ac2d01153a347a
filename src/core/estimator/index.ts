export * from './report';
export * from './kvCache';
export * from './cacheTypes';
export * from './estimate';
export * from './explain';
export * from './speculative';
export { offloadSplit, llamaComputeBufferBytes, vllmPool, usableCapacityBytes } from './memory';
