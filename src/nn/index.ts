// Layers, optimizers and schedules.
export * from './module.ts';
export * from './linear.ts';
export * from './sequential.ts';
export * from './loss.ts';
export * from './schedule.ts';
export * from './optim/index.ts';
