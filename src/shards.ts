/**
 * Sharding: split one index into N snapshot files and merge the answers of
 * the N shards back into one exact top-k. Serving the shards (one process,
 * one function per shard) is left to the host; see examples/lambda-shards.
 *
 * Format of a sharded deployment (stable across versions, since routers and
 * shards built by different releases must agree on it):
 * - shard i of N is the file `shard-<i>.arroy`, a snapshot (`index.snapshot`)
 *   holding one index with the source's name, distance, dimensions and key kind;
 * - an item lives in shard `shardOf(key, N)`: the 32-bit FNV-1a hash
 *   (offset basis 0x811c9dc5, prime 0x01000193) of the key's bytes, taken
 *   modulo N. A numeric id's bytes are its four little-endian bytes as a u32;
 *   a string key's bytes are its UTF-8 encoding.
 * - numeric ids keep their value in their shard; string-keyed shards assign
 *   their own ids, so across shards only the keys are meaningful.
 * - a k-means split (`by: 'kmeans'`) puts an item in the shard of its
 *   nearest centroid instead (src/shards/kmeans.ts), under a size cap;
 * - `<dir>/shards.json`, the manifest (src/shards/manifest.ts), lists the
 *   shards with their sizes and checksums, and for k-means the centroids and
 *   the measured recall by shards probed, for the router (src/shards/route.ts).
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { Index, type ItemKey, type Neighbor } from './arroy-index';
import type { BuildOptions } from './build';
import { invalidArgument } from './errors';
import { centroidDimensions } from './shards/kmeans';
import { writeManifest, type ProbeRecall } from './shards/manifest';
import { partitionByKmeans, type PartitionOptions } from './shards/partition';
import { checkIntegerIn, checkOptions, checkPositiveInteger, describe, optionNames } from './validate';

const FNV_OFFSET = 0x811c9dc5;
const FNV_PRIME = 0x01000193;
const utf8 = new TextEncoder();

function fnv1a(bytes: Uint8Array): number {
  let hash = FNV_OFFSET;
  for (const byte of bytes) hash = Math.imul(hash ^ byte, FNV_PRIME);
  return hash >>> 0;
}

function checkShardCount(shardCount: unknown): number {
  if (typeof shardCount !== 'number' || !Number.isInteger(shardCount) || shardCount < 1 || shardCount > 0xffff) {
    throw invalidArgument(`the shard count must be an integer from 1 to 65535, got ${describe(shardCount)}`);
  }
  return shardCount;
}

/** The shard (0 .. shardCount-1) that holds `key`: FNV-1a of its bytes, modulo shardCount (see the module comment). */
export function shardOf(key: ItemKey, shardCount: number): number {
  checkShardCount(shardCount);
  let bytes: Uint8Array;
  if (typeof key === 'string') {
    bytes = utf8.encode(key);
  } else if (typeof key === 'number' && Number.isInteger(key) && key >= 0 && key <= 0xffffffff) {
    bytes = new Uint8Array(4);
    new DataView(bytes.buffer).setUint32(0, key, true);
  } else {
    throw invalidArgument(`a shard key must be a u32 id or a string, got ${describe(key)}`);
  }
  return fnv1a(bytes) % shardCount;
}

/**
 * The order of search results: distance, then id, then key. Within one list
 * ids are unique, so this is the order every search already returns; the key
 * only breaks ties between string-keyed shards, whose ids may coincide.
 */
function compareNeighbors(a: Neighbor, b: Neighbor): number {
  if (a.distance !== b.distance) return a.distance < b.distance ? -1 : 1;
  if (a.id !== b.id) return a.id - b.id;
  const [x, y] = [a.key ?? '', b.key ?? ''];
  return x < y ? -1 : x > y ? 1 : 0;
}

function checkList(list: unknown, which: number): Neighbor[] {
  if (!Array.isArray(list)) throw invalidArgument(`list ${which} must be an array of neighbours, got ${describe(list)}`);
  for (let i = 0; i < list.length; i++) {
    const n = list[i] as Partial<Neighbor> | null;
    if (n === null || typeof n !== 'object' || typeof n.distance !== 'number' || Number.isNaN(n.distance)) {
      throw invalidArgument(`list ${which}, entry ${i}: expected {id, distance}, got ${describe(n)}`);
    }
    if (typeof n.id !== 'number' || !Number.isInteger(n.id) || n.id < 0) {
      throw invalidArgument(`list ${which}, entry ${i}: id must be a non-negative integer, got ${describe(n.id)}`);
    }
    if (n.key !== undefined && typeof n.key !== 'string') throw invalidArgument(`list ${which}, entry ${i}: key must be a string`);
    if (i > 0 && compareNeighbors(list[i - 1] as Neighbor, n as Neighbor) > 0) {
      throw invalidArgument(`list ${which} is not sorted by distance then id at entry ${i}`);
    }
  }
  return list as Neighbor[];
}

/**
 * The global top-k of per-shard result lists, each sorted by distance then id
 * (as search() returns them): exact when each list is its shard's own top-k.
 * Ties are broken by id (then key). Entries are returned as given, not copied.
 */
export function mergeNeighbors(lists: readonly Neighbor[][], k: number): Neighbor[] {
  if (!Array.isArray(lists)) throw invalidArgument(`lists must be an array of neighbour lists, got ${describe(lists)}`);
  if (typeof k !== 'number' || !Number.isInteger(k) || k < 1) throw invalidArgument(`k must be a positive integer, got ${describe(k)}`);
  const checked = lists.map((list, i) => checkList(list, i));
  // A fan-out has few lists (one per shard): scanning their heads each step
  // costs k * lists comparisons, less than keeping a heap in order.
  const heads = new Array<number>(checked.length).fill(0);
  const out: Neighbor[] = [];
  while (out.length < k) {
    let best = -1;
    for (let i = 0; i < checked.length; i++) {
      if (heads[i] < checked[i].length && (best < 0 || compareNeighbors(checked[i][heads[i]], checked[best][heads[best]]) < 0)) best = i;
    }
    if (best < 0) break;
    out.push(checked[best][heads[best]++]);
  }
  return out;
}

export interface SplitOptions {
  /** How many shards, 1 to 65535. */
  shards: number;
  /**
   * How items are assigned: `'hash'` (default; shardOf: equal shards, every
   * query asks all of them) or `'kmeans'` (items go to the nearest of
   * `shards` centroids trained on a sample, so a query can ask only the
   * shards nearest to it; see routeQuery).
   */
  by?: 'hash' | 'kmeans';
  /** Options for building each shard (trees, seed, threads, graph, ...); the shards are built one after another. */
  build?: Omit<BuildOptions, 'signal' | 'onProgress' | 'rebuild'>;
  /** k-means: the items the centroids are trained on, drawn at random. Default 50,000 (or all, if fewer). */
  sample?: number;
  /** k-means: Lloyd iterations at most (they stop early when no sample point moves). Default 15. */
  iterations?: number;
  /**
   * k-means: the largest shard may hold `balance` times the mean (items past
   * it go to their next nearest centroid, those nearest a border first).
   * At least 1; Infinity for no cap. Default 1.5.
   */
  balance?: number;
  /** k-means: held-out items the manifest's recall-by-probe curve is measured on (0: none). Default 200. */
  recallQueries?: number;
  /** k-means: seed of the sampling and of k-means++ (a u32). Default 42. */
  seed?: number;
}

const SPLIT_OPTIONS = optionNames<SplitOptions>({ balance: true, build: true, by: true, iterations: true, recallQueries: true, sample: true, seed: true, shards: true });

/** The defaults of the k-means split, documented on SplitOptions. */
const KMEANS_DEFAULTS = { sample: 50_000, iterations: 15, balance: 1.5, recallQueries: 200, recallK: 10, seed: 42 };

export interface ShardFile {
  /** `<dir>/shard-<i>.arroy`, a verified-openable snapshot. */
  path: string;
  /** Items in this shard. */
  count: number;
  /** Bytes of the snapshot. */
  bytes: number;
  /** The snapshot's CRC32C (as in the manifest). */
  crc32c: number;
  buildMs: number;
}

export interface SplitResult {
  shards: ShardFile[];
  /** `<dir>/shards.json`, the manifest a router reads (readShardManifest). */
  manifest: string;
  /** k-means: recall@10 by shards probed, measured on held-out items (null when recallQueries is 0). */
  recall?: ProbeRecall | null;
  /** k-means: the planning pass (sample, training, assignment, recall curve). */
  partitionMs?: number;
  durationMs: number;
}

function checkKmeansOptions(options: Partial<SplitOptions>): Omit<PartitionOptions, 'shards'> {
  const { sample, iterations, balance, recallQueries, seed } = { ...KMEANS_DEFAULTS, ...definedOnly(options) };
  checkPositiveInteger(sample, 'sample');
  checkPositiveInteger(iterations, 'iterations', 1000);
  if (typeof balance !== 'number' || !(balance >= 1)) throw invalidArgument(`balance must be a number of at least 1 (or Infinity), got ${describe(balance)}`);
  checkIntegerIn(recallQueries, 'recallQueries', 0, 100_000);
  checkIntegerIn(seed, 'seed', 0, 0xffffffff);
  return { sample, iterations, balance, recallQueries, seed, recallK: KMEANS_DEFAULTS.recallK };
}

const definedOnly = <T extends object>(o: T): Partial<T> => Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;

/**
 * Splits the committed items of `source` into `options.shards` indexes, by
 * shardOf or by a k-means partition, builds each, snapshots it to
 * `<dir>/shard-<i>.arroy` and writes the manifest `<dir>/shards.json` (see
 * the module comment and src/shards/manifest.ts). The working files are
 * removed; the snapshots and the manifest are the result. `dir` is created if needed.
 */
export async function splitIndex(source: Index, dir: string, options: SplitOptions): Promise<SplitResult> {
  if (!(source instanceof Index)) throw invalidArgument('source must be an Index');
  if (typeof dir !== 'string' || dir.length === 0) throw invalidArgument(`dir must be a non-empty path, got ${describe(dir)}`);
  const checked = checkOptions(options, 'split options', SPLIT_OPTIONS);
  const { shards, by, build } = checked;
  const count = checkShardCount(shards);
  if (by !== undefined && by !== 'hash' && by !== 'kmeans') throw invalidArgument(`by must be 'hash' or 'kmeans', got ${describe(by)}`);
  if (by !== 'kmeans') {
    for (const name of ['sample', 'iterations', 'balance', 'recallQueries', 'seed'] as const) {
      if (checked[name] !== undefined) throw invalidArgument(`${name} is an option of the k-means split (by: 'kmeans')`);
    }
  }
  const kmeans = by === 'kmeans' ? checkKmeansOptions(checked) : undefined;
  const started = performance.now();
  const partition = kmeans && partitionByKmeans(source, { ...kmeans, shards: count });
  fs.mkdirSync(dir, { recursive: true });
  const work = Array.from({ length: count }, (_, i) => path.join(dir, `shard-${i}.building.arroy`));
  for (const file of work) removeIndexFile(file); // leftovers of an interrupted split
  const indexes = work.map((file) =>
    Index.open(file, { dimensions: source.dimensions, distance: source.distance, keys: source.keys, name: source.name }),
  );
  const counts = new Array<number>(count).fill(0);
  try {
    const keys: Iterable<ItemKey> = partition?.keys ?? (source.keys === 'string' ? source.keyNames() : source.ids());
    let i = 0;
    for (const key of keys) {
      const vector = source.get(key);
      const shard = partition ? partition.assignment[i++] : shardOf(key, count);
      if (vector === undefined) continue; // deleted since the iteration's batch was read
      const attributes = source.getAttributes(key);
      // Shards keep the items' attributes, so a `where` answers the same on them.
      indexes[shard].add(key, vector, attributes && Object.keys(attributes).length > 0 ? { attributes } : undefined);
      counts[shard]++;
    }
    const files: ShardFile[] = [];
    for (let s = 0; s < count; s++) {
      const buildStarted = performance.now();
      await indexes[s].build(build ?? {});
      const buildMs = performance.now() - buildStarted;
      const snapshot = await indexes[s].snapshot(path.join(dir, `shard-${s}.arroy`));
      files.push({ path: snapshot.path, count: counts[s], bytes: snapshot.bytes, crc32c: snapshot.crc, buildMs });
      indexes[s].close();
      removeIndexFile(work[s]);
    }
    const manifest = writeManifest(dir, {
      by: by ?? 'hash',
      name: source.name,
      distance: source.distance,
      dimensions: source.dimensions,
      keys: source.keys,
      shards: files.map((f) => ({ file: path.basename(f.path), count: f.count, bytes: f.bytes, crc32c: f.crc32c })),
      ...(partition && { centroidDimensions: centroidDimensions(source.distance, source.dimensions), centroids: partition.centroids, recall: partition.recall }),
    });
    const result: SplitResult = { shards: files, manifest, durationMs: performance.now() - started };
    if (partition) Object.assign(result, { recall: partition.recall, partitionMs: partition.durationMs });
    return result;
  } finally {
    for (const index of indexes) index.close();
    for (const file of work) removeIndexFile(file);
  }
}

function removeIndexFile(file: string): void {
  fs.rmSync(file, { force: true });
  fs.rmSync(`${file}-lock`, { force: true });
}
