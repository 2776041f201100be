// Node entry: registers the Dawn platform, then re-exports the engine.
import './gpu/node.ts';
export * from './index.ts';
