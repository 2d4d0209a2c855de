/**
 * Loads the compiled addon (a local build under build/, else the prebuilt
 * binary for this platform under prebuilds/) and types what it exports.
 * Only src/ talks to the binding; users go through Index.
 */
import * as path from 'node:path';
import { ArroyError } from './errors';
import { loadBinding } from './load-binding';
import type { AttributeTypeName, Attributes, NativeWhere } from './attributes';
import type { BuildPhaseName, StrategyName } from './names';

export interface NativeHits {
  ids: Uint32Array;
  distances: Float32Array;
  /** Present for indexes with string keys. */
  keys?: string[];
  /** How the candidates were found. */
  strategy: Exclude<StrategyName, 'auto'>;
  /** Exact distances computed. */
  scored: number;
  /** The graph search's ef (0 when no graph search ran). */
  ef: number;
  /** Each hit's attributes, when asked for. */
  attributes?: Attributes[];
}

/** searchBatch's rows × k results (see BatchResult in src/arroy-index.ts). */
export interface NativeBatchHits {
  ids: Uint32Array;
  distances: Float32Array;
  counts: Uint32Array;
  keys?: (string | undefined)[];
}

/** An allowed set of ids and keys (see src/filter.ts). */
export interface NativeFilterHandle {
  size(): number;
}

export interface NativeBuildReport {
  items: number;
  trees: number;
  nodes: number;
  incremental: boolean;
  graph: boolean;
}

export interface NativeProgress {
  phase: BuildPhaseName;
  done: number;
  total: number;
}

export interface NativeBuildOptions {
  rebuild?: boolean;
  trees?: number;
  seed?: number | bigint;
  bucketCapacity?: number;
  threads?: number;
  graph?: boolean;
  graphDegree?: number;
}

/** The arguments after the query (or id) of search() and searchById(). */
export type NativeSearchArgs = [
  k: number,
  searchK: number | undefined,
  filter: NativeFilterHandle | undefined,
  strategy: StrategyName | undefined,
  recall: number | undefined,
  ef: number | undefined,
  where: NativeWhere | undefined,
  attributes: boolean | undefined,
];

export interface NativeIndexHandle {
  dimensions(): number;
  metric(): string;
  name(): string;
  readOnly(): boolean;
  size(): number;
  treeCount(): number;
  pendingCount(): number;
  add(id: number, vector: Float32Array, attributes?: Attributes): void;
  remove(id: number): void;
  get(id: number): Float32Array | undefined;
  has(id: number): boolean;
  stringKeys(): boolean;
  addKey(key: string, vector: Float32Array, attributes?: Attributes): void;
  getAttributes(id: number): Attributes | undefined;
  removeKey(key: string): void;
  idOfKey(key: string): number | undefined;
  keysFrom(from: string, limit: number): string[];
  distance(a: number, b: number): number | undefined;
  idsFrom(from: number, limit: number): Uint32Array;
  seed(): bigint | undefined;
  search(query: Float32Array, ...args: NativeSearchArgs): NativeHits;
  searchById(id: number, ...args: NativeSearchArgs): NativeHits | undefined;
  /** token: 0, or the number binding.cancelSearch takes. */
  searchAsync(query: Float32Array, token: number, ...args: NativeSearchArgs): Promise<NativeHits>;
  searchBatch(queries: Float32Array, threads: number, token: number, ...args: NativeSearchArgs): Promise<NativeBatchHits>;
  build(options: NativeBuildOptions, onProgress?: (progress: NativeProgress) => void): Promise<NativeBuildReport>;
  stats(): IndexStats;
  check(deep?: boolean): void;
  cancelBuild(): void;
  close(): void;
}

export interface TreeStats {
  /** Node id of the tree's root. */
  root: number;
  /** Nodes on the longest path from the root to a bucket. */
  depth: number;
  nodes: number;
  buckets: number;
  /** Split nodes, random splits included. */
  splits: number;
  /** Splits where no plane separated the items, so they were halved at random. */
  randomSplits: number;
  largestBucket: number;
}

export interface IndexStats {
  items: number;
  dimensions: number;
  bucketCapacity: number;
  /** Vector slots in use or free (the slot high-water mark). */
  slots: number;
  /** Slots freed by deletes, reused by later adds. */
  freeSlots: number;
  /** Tree nodes stored. */
  nodes: number;
  /** Seed of the forest's random planes. */
  seed: bigint;
  trees: TreeStats[];
  /** The neighbour graph, when the index has one. */
  graph?: GraphStats;
  /** Attribute fields (name → the type their first write fixed), items that have attributes, entries of the inverted index. */
  attributes: { fields: Record<string, AttributeTypeName>; items: number; postings: number };
}

/** One measured point of an index's recall curve. */
export interface RecallPoint {
  /** Results the graph search kept. */
  ef: number;
  /** Mean recall@10 of the build's held-out sample of items. */
  recall: number;
  /** Standard error of that mean, over the sampled queries. */
  stdError: number;
  /** Mean exact distances a search computed. */
  scored: number;
}

export interface GraphStats {
  /** Most edges per item. */
  degree: number;
  edges: number;
  /** Edges to slots freed since (skipped by searches, repaired by later builds). */
  staleEdges: number;
  /** Items with at least one edge. */
  linkedItems: number;
  /** Items added or removed since the recall curve was measured (it is measured again past 10% of the items). */
  changesSinceCalibration: number;
  /** Recall against ef, measured by the last full measurement; a search with `recall` picks its ef from it. */
  curve: RecallPoint[];
  /** Held-out answers behind each point (samples x 10). */
  curveAnswers: number;
}

export interface NativeSnapshotReport {
  bytes: number;
  sourceBytes: number;
  crc: number;
}

/** The core's limits (native/core/limits.h, defaults.h). */
export interface NativeLimits {
  maxDimensions: number;
  maxItemId: number;
  maxKeyBytes: number;
  maxTrees: number;
  minBucketCapacity: number;
  maxBucketCapacity: number;
  maxIndexNameBytes: number;
  maxThreads: number;
  /** Most rows × k one searchBatch may ask for. */
  maxBatchResults: number;
  maxGraphDegree: number;
  maxSearchEf: number;
  minMapSize: number;
  maxMapSize: number;
  /** Attributes one item may have. */
  maxAttributeFields: number;
  /** Distinct attribute fields one index may have. */
  maxIndexFields: number;
  maxAttributeNameBytes: number;
  maxAttributeStringBytes: number;
  /** Most bytes of one item's encoded attributes. */
  maxAttributeBytes: number;
  /** Deepest nesting of $and / $or / $not in a where. */
  maxWhereDepth: number;
  /** Most values of one $in. */
  maxWhereValues: number;
}

export interface NativeOpenOptions {
  name?: string;
  dimensions?: number;
  distance?: string;
  keys?: 'number' | 'string';
  readOnly?: boolean;
  mapSize?: number;
  verify?: boolean;
}

export interface NativeBinding {
  IndexHandle: {
    new (path: string, options: NativeOpenOptions): NativeIndexHandle;
    /** Builds several indexes of one file in one write transaction. */
    buildTogether(handles: NativeIndexHandle[], options: NativeBuildOptions, onProgress?: (progress: NativeProgress) => void): Promise<NativeBuildReport[]>;
  };
  FilterHandle: new (ids: Uint32Array, keys?: string[]) => NativeFilterHandle;
  /** Makes the addon throw instances of this class. */
  setErrorClass(cls: typeof ArroyError): void;
  listIndexes(path: string, options: { readOnly?: boolean; mapSize?: number; verify?: boolean }): string[];
  dropIndex(path: string, options: { mapSize?: number }, name: string): boolean;
  snapshot(path: string, options: { readOnly?: boolean; mapSize?: number }, destination: string, compact: boolean, index?: string): { promise: Promise<NativeSnapshotReport>; cancel(): void };
  /** The core's name lists (src/names.ts types them). */
  names: { distances: string[]; strategies: string[]; buildPhases: string[]; errorCodes: string[] };
  limits: NativeLimits;
  /** searchThreads: the search pool's threads (one per core). */
  /** defaults.h: recall is kDefaultRecall, recallMissShare kRecallMissShare (a search asked for r aims at 1 - share · (1 - r)). */
  defaults: { mapSize: number; searchThreads: number; recall: number; recallMissShare: number };
  /** Stops the async search registered under `token` (its promise rejects with ERR_ARROY_ABORTED). */
  cancelSearch(token: number): void;
  /** The SIMD kernel set chosen for this CPU: 'avx512', 'avx2', 'neon' or 'scalar'. */
  simd: string;
  /** The CRC32C implementation in use: "sse4.2", "armv8-crc" or "scalar". */
  crc32c: string;
  /** The on-disk format version this build writes and reads (native/core/format.h). */
  formatVersion: number;
}

// dist/*.js and src/*.ts both sit one level below the package root.
// ARROY_ADDON_PATH, when set, names one exact .node file to load instead (for
// testing another build of the addon, e.g. the sanitizer build of `npm run
// test:asan`).
const addonPath = process.env.ARROY_ADDON_PATH;
export const binding = (addonPath ? require(path.resolve(addonPath)) : loadBinding(path.join(__dirname, '..'))) as NativeBinding;
binding.setErrorClass(ArroyError);
