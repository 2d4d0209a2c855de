/**
 * arroy-ts: approximate nearest-neighbour search for Node.js, stored in LMDB.
 * The public API: Index (one named index), Database (a file with several),
 * ArroyError and the types they use; splitIndex, shardOf and mergeNeighbors
 * for serving an index as shards.
 */
export {
  Index,
  type AddOptions,
  type AsyncSearchOptions,
  type BatchResult,
  type BatchSearchOptions,
  type CheckOptions,
  type Distance,
  type ItemKey,
  type KeyKindOf,
  type Neighbor,
  type OpenOptions,
  type SearchOptions,
  type SearchResult,
  type SearchStrategy,
} from './arroy-index';
export { Filter, type FilterInput } from './filter';
export type { AttributeTypeName, AttributeValue, Attributes, FieldOperators, Where } from './attributes';
export { Database, type DatabaseIndexOptions, type DatabaseOptions } from './database';
export type { BuildOptions, BuildProgress, BuildResult } from './build';
export type { SnapshotOptions, SnapshotResult } from './snapshot';
export { ArroyError, type ArroyErrorCode } from './errors';
export { mergeNeighbors, shardOf, splitIndex, type ShardFile, type SplitOptions, type SplitResult } from './shards';
export { parseShardManifest, readShardManifest, type ProbeRecall, type ShardEntry, type ShardManifest } from './shards/manifest';
export { probeFor, routeQuery, type RouteOptions } from './shards/route';
export { ShardSet, type ShardSearchOptions, type ShardSearchResult } from './shards/shard-set';
export type { GraphStats, IndexStats, RecallPoint, TreeStats } from './native';
export type { VectorInput } from './validate';
