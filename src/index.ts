// The engine's public surface, identical in Node and the browser (platform setup aside).
export { initGpu, getGpu, shutdownGpu, type Gpu, type InitOptions } from './gpu/device.ts';
export { Tensor, type DType, type Shape } from './tensor/tensor.ts';
export { tidy, keep } from './tensor/scope.ts';
export { noGrad, requireGrad, detach, isGradEnabled } from './tensor/tape.ts';
export { tensor, scalar, full, zeros, ones, randn, rand } from './tensor/create.ts';
export { Rng, globalRng, manualSeed } from './tensor/random.ts';
export * from './ops/index.ts';
export * from './nn/index.ts';
