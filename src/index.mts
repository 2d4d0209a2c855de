// ESM entry: re-exports the CommonJS build, so `import` and `require` share one
// module instance (and one native addon) instead of loading two copies.
export { Index, Database, ArroyError, Filter } from './index.js';
export type {
  ArroyErrorCode,
  BuildOptions,
  BuildProgress,
  BuildResult,
  CheckOptions,
  DatabaseIndexOptions,
  DatabaseOptions,
  Distance,
  FilterInput,
  GraphStats,
  IndexStats,
  RecallPoint,
  ItemKey,
  TreeStats,
  Neighbor,
  OpenOptions,
  SearchOptions,
  SearchResult,
  SearchStrategy,
  SnapshotOptions,
  SnapshotResult,
  VectorInput,
} from './index.js';
