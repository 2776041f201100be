// Every op, one import away. Each module holds an op's forward and its backward side by side.
export * from './elementwise.ts';
export * from './unary.ts';
export * from './reduce.ts';
export * from './matmul.ts';
export * from './shape.ts';
export * from './batchnorm.ts';
export * from './gather.ts';
export * from './pad.ts';
export * from './softmax.ts';
export * from './resize.ts';
export * from './conv-geometry.ts';
export * from './conv2d.ts';
export * from './depthwise.ts';
export * from './pool.ts';
export * from './squeeze-excite.ts';
export * from './normalize.ts';
export * from './dropout.ts';
