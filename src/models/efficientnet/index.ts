// EfficientNet B0–B4: config table, model, name maps.
export * from './config.ts';
export * from './model.ts';
export * from './names.ts';
export * from './load.ts';
