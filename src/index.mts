// ESM entry: re-exports the CommonJS build, so `import` and `require` share one
// module instance (and one native addon) instead of loading two copies.
export { Index, ArroyError } from './index.js';
export type {
  ArroyErrorCode,
  BuildOptions,
  BuildProgress,
  BuildResult,
  Distance,
  IndexStats,
  TreeStats,
  Neighbor,
  OpenOptions,
  SearchOptions,
  VectorInput,
} from './index.js';
