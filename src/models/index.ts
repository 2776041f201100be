// Models built on the engine's ops.
export * from './efficientnet/index.ts';
