/**
 * Loads the compiled addon (a local build under build/, else the prebuilt
 * binary for this platform under prebuilds/) and types what it exports.
 * Only src/ talks to the binding; users go through Index.
 */
import * as path from 'node:path';
import { loadBinding } from './load-binding';

export interface NativeHits {
  ids: Uint32Array;
  distances: Float32Array;
  /** Present for indexes with string keys. */
  keys?: string[];
  /** How the candidates were found. */
  strategy: 'forest' | 'exact';
  /** Exact distances computed. */
  scored: number;
}

/** An allowed set of ids and keys (see src/filter.ts). */
export interface NativeFilterHandle {
  size(): number;
}

export type NativeStrategy = 'auto' | 'forest' | 'exact';

export interface NativeBuildReport {
  items: number;
  trees: number;
  nodes: number;
  incremental: boolean;
}

export interface NativeProgress {
  phase: 'applying' | 'trees' | 'writing';
  done: number;
  total: number;
}

export interface NativeIndexHandle {
  dimensions(): number;
  metric(): string;
  name(): string;
  readOnly(): boolean;
  size(): number;
  treeCount(): number;
  pendingCount(): number;
  add(id: number, vector: Float32Array): void;
  remove(id: number): void;
  get(id: number): Float32Array | undefined;
  has(id: number): boolean;
  stringKeys(): boolean;
  addKey(key: string, vector: Float32Array): void;
  removeKey(key: string): void;
  idOfKey(key: string): number | undefined;
  keysFrom(from: string, limit: number): string[];
  distance(a: number, b: number): number | undefined;
  idsFrom(from: number, limit: number): Uint32Array;
  seed(): bigint | undefined;
  search(query: Float32Array, k: number, searchK?: number, filter?: NativeFilterHandle, strategy?: NativeStrategy): NativeHits;
  searchById(
    id: number,
    k: number,
    searchK?: number,
    filter?: NativeFilterHandle,
    strategy?: NativeStrategy,
  ): NativeHits | undefined;
  build(
    options: { rebuild?: boolean; trees?: number; seed?: number | bigint; bucketCapacity?: number; threads?: number },
    onProgress?: (progress: NativeProgress) => void,
  ): Promise<NativeBuildReport>;
  stats(): IndexStats;
  check(): void;
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
}

export interface NativeLimits {
  maxDimensions: number;
  maxItemId: number;
  maxTrees: number;
  minBucketCapacity: number;
  maxBucketCapacity: number;
  maxIndexNameBytes: number;
  formatVersion: number;
}

export interface NativeBinding {
  IndexHandle: {
    new (
      path: string,
      options: { name?: string; dimensions?: number; distance?: string; keys?: 'number' | 'string'; readOnly?: boolean; mapSize?: number },
    ): NativeIndexHandle;
    /** Builds several indexes of one file in one write transaction. */
    buildTogether(
      handles: NativeIndexHandle[],
      options: Parameters<NativeIndexHandle['build']>[0],
      onProgress?: (progress: NativeProgress) => void,
    ): Promise<NativeBuildReport[]>;
  };
  FilterHandle: new (ids: Uint32Array, keys?: string[]) => NativeFilterHandle;
  listIndexes(path: string, options: { readOnly?: boolean; mapSize?: number }): string[];
  dropIndex(path: string, options: { mapSize?: number }, name: string): boolean;
  limits: NativeLimits;
  /** mapSize: the default, and the range an open accepts (bytes; from native/core/defaults.h). */
  mapSizes: { mapSize: number; minMapSize: number; maxMapSize: number };
  defaultTreeCount(items: number, dimensions: number): number;
  /** The SIMD kernel set chosen for this CPU: 'avx512', 'avx2', 'neon' or 'scalar'. */
  simd: string;
}

// dist/*.js and src/*.ts both sit one level below the package root.
// ARROY_ADDON_PATH, when set, names one exact .node file to load instead (for
// testing another build of the addon, e.g. the sanitizer build of `npm run
// test:asan`).
const addonPath = process.env.ARROY_ADDON_PATH;
export const binding: NativeBinding = (
  addonPath ? require(path.resolve(addonPath)) : loadBinding(path.join(__dirname, '..'))
) as NativeBinding;
